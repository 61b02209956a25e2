/// Why the generator rejected one attempt (the reference's rejection reasons).
public enum GenerationRejection: String, Error, Hashable, Sendable, CaseIterable {
    /// The tree sampler's counting table was too small for the drawn operator count (the
    /// reference's `IndexError`; see ``GeneratorConfiguration/referenceCountingTable``).
    case countingTableTooSmall = "exception IndexError"
    /// The tree uses fewer variables than drawn (`bad input dimension`).
    case badInputDimension = "bad input dimension"
    /// An unguarded operator raised a floating-point exception (`exception FloatingPointError`).
    case floatingPointError = "exception FloatingPointError"
    /// A point gave NaN, ±inf or |y| ≥ 1e103 (`generation error`).
    case generationError = "generation error"
}

/// One accepted sample with the attempts it took.
public struct GeneratedSample: Hashable, Sendable {
    /// The accepted sample (points in generation order).
    public var sample: Sample
    /// The rejected attempts before it, in order.
    public var rejections: [GenerationRejection]
    /// The binary operators of the accepted tree before prefactors were added.
    public var drawnBinaryOperators: Int
    /// The unary operator count drawn for this sample (the tree may have fewer).
    public var drawnUnaryOperators: Int
}

/// A random expression-and-points generator following the reference's `gen_expr`
/// (REFERENCE.md "Generator"); it reproduces the reference's *distribution*, not its random
/// stream (the reference draws from numpy's Mersenne Twister).
///
/// Per sample: the input dimension d and the unary count are drawn once; then attempts repeat
/// until one is accepted: a binary count, a uniform binary tree (Lample & Charton's sampler),
/// leaves (each variable once, then uniform), unary operators above small subtrees thinned to
/// the drawn count, prefactors, relabelling, and 200 points from 1…9 Gaussian or uniform
/// clusters, standardised per axis and evaluated under numpy's raise regime. Any lost point
/// rejects the attempt (`max_trials` = 1).
public struct ExpressionGenerator: Sendable {
    /// The generator parameters.
    public var configuration: GeneratorConfiguration

    /// A generator with the given parameters.
    public init(configuration: GeneratorConfiguration = GeneratorConfiguration()) {
        self.configuration = configuration
    }

    /// Draws one accepted sample.
    public func generate(using generator: inout some RandomNumberGenerator) -> GeneratedSample {
        let c = configuration
        let dimension = Int.random(
            in: c.minInputDimension...c.maxInputDimension, using: &generator)
        let unaryCount = Int.random(in: c.minUnaryOps...c.maxUnaryOps, using: &generator)
        var rejections: [GenerationRejection] = []
        while true {
            switch attempt(dimension: dimension, unaryCount: unaryCount, using: &generator) {
            case .success(let (sample, binaryCount)):
                return GeneratedSample(
                    sample: sample, rejections: rejections, drawnBinaryOperators: binaryCount,
                    drawnUnaryOperators: unaryCount)
            case .failure(let rejection):
                rejections.append(rejection)
            }
        }
    }

    /// One attempt of the reference's `_gen_expr` with a fixed dimension and unary count.
    func attempt(dimension: Int, unaryCount: Int, using generator: inout some RandomNumberGenerator)
        -> Result<(Sample, Int), GenerationRejection>
    {
        let c = configuration
        let binaryCount = Int.random(
            in: (c.minBinaryOpsPerDimension * dimension)...(c.maxBinaryOpsOffset
                + c.maxBinaryOpsPerDimension * dimension - 1),
            using: &generator)
        guard
            var tree = randomTree(
                binaryOperators: binaryCount, dimension: dimension,
                using: &generator)
        else { return .failure(.countingTableTooSmall) }
        tree = addUnaries(to: tree, keeping: unaryCount, using: &generator)
        tree = addPrefactors(to: tree, using: &generator)
        let (relabelled, used) = tree.relabellingVariables()
        if used == 0 || (c.enforceDimension && used < dimension) {
            return .failure(.badInputDimension)
        }
        tree = relabelled
        let distribution = Double.random(in: 0..<1, using: &generator) < 0.5 ? 0 : 1
        let centroids = Int.random(in: 1...(c.maxCentroids - 1), using: &generator)
        let x = randomPoints(
            dimension: used, centroids: centroids, gaussian: distribution == 0,
            using: &generator)
        guard let x else { return .failure(.floatingPointError) }
        let y: [Double]
        switch try? tree.evaluateRaising(rows: x) {
        case .values(let values, _)?: y = values
        default: return .failure(.floatingPointError)
        }
        let limit = c.maxOutputMagnitude
        guard y.allSatisfy({ !$0.isNaN && Swift.abs($0) < limit }) else {
            return .failure(.generationError)
        }
        let info = SampleInfo(
            inputPointCount: x.count, unaryOperatorCount: tree.unaryOperatorCount,
            binaryOperatorCount: tree.binaryOperatorCount, inputDimension: used,
            outputDimension: 1, inputDistributionType: distribution, centroidCount: centroids)
        var outputs = y
        if c.normalizeY, let low = y.min(), let high = y.max() {
            outputs = y.map { ($0 - low) / (high - low + 1e-10) }
        }
        let tokenizer = FloatTokenizer(precision: c.floatPrecision)
        guard let skeletonTokens = try? tree.skeleton.encodedTokens(tokenizer: tokenizer) else {
            return .failure(.generationError)
        }
        let sample = Sample(
            tree: tree, x: x, y: outputs, info: info, skeletonTokens: skeletonTokens)
        return .success((sample, binaryCount))
    }
}

extension Expression {
    /// The tree with its variables renumbered 0…k−1 in increasing index order, and k (the
    /// reference's `relabel_variables`).
    func relabellingVariables() -> (Expression, Int) {
        var used = Set<Int>()
        func collect(_ e: Expression) {
            switch e {
            case .leaf(.variable(let i)): used.insert(i)
            case .leaf: break
            case .unary(_, let a): collect(a)
            case .binary(_, let a, let b):
                collect(a)
                collect(b)
            }
        }
        collect(self)
        let mapping = Dictionary(uniqueKeysWithValues: used.sorted().enumerated().map { ($1, $0) })
        func relabel(_ e: Expression) -> Expression {
            switch e {
            case .leaf(.variable(let i)): return .leaf(.variable(mapping[i]!))
            case .leaf: return e
            case .unary(let op, let a): return .unary(op, relabel(a))
            case .binary(let op, let a, let b): return .binary(op, relabel(a), relabel(b))
            }
        }
        return (relabel(self), used.count)
    }
}
