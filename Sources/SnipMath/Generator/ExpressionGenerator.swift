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

    /// The attempts as the reference logs them: the rejections' reasons, then `ok`.
    public var attempts: [String] { rejections.map(\.rawValue) + ["ok"] }
}

/// The reference's random expression-and-points generator (`gen_expr`, REFERENCE.md
/// "Generator"), draw for draw.
///
/// Per sample: the input dimension d and the unary count are drawn once; then attempts repeat
/// until one is accepted: a binary count, a uniform binary tree (Lample & Charton's sampler),
/// leaves (each variable once, then uniform), unary operators above small subtrees thinned to
/// the drawn count, prefactors, relabelling, and 200 points from 1…9 Gaussian or uniform
/// clusters, standardised per axis and evaluated under numpy's raise regime. Any lost point
/// rejects the attempt (`max_trials` = 1).
///
/// With ``NumpyLegacyRandom`` (``generate(numpySeed:)``) this replays the reference exactly for
/// dimension 1: a seed gives the reference's own sample for `env.rng = RandomState(seed)`,
/// including its rejected attempts and bit-identical points. For d > 1 the reference draws its
/// cluster rotations from the *global* numpy stream with scipy's `special_ortho_group`; here
/// they are Haar rotations from the same source, so only the distribution matches. With any
/// Swift generator (``generate(using:)``) the distribution is the reference's.
///
/// This is the fast path (flat trees, reused buffers, pointer-carved point buffers). The same
/// draws written plainly, for reading and as its test reference, are ``PlainGenerator``
/// (PlainGenerator.swift).
public struct ExpressionGenerator: Sendable {
    /// The generator parameters.
    public var configuration: GeneratorConfiguration {
        didSet { probabilities = OperatorProbabilities(configuration) }
    }
    /// The operator probabilities of ``configuration``, normalised once rather than per sample.
    private(set) var probabilities: OperatorProbabilities

    /// A generator with the given parameters.
    public init(configuration: GeneratorConfiguration = GeneratorConfiguration()) {
        self.configuration = configuration
        probabilities = OperatorProbabilities(configuration)
    }

    /// Draws one accepted sample from a Swift random generator.
    public func generate(using generator: inout some RandomNumberGenerator) -> GeneratedSample {
        var source = SwiftRandomSource(generator)
        defer { generator = source.generator }
        return generate(from: &source)
    }

    /// The reference's sample for `env.rng = np.random.RandomState(seed)`.
    public func generate(numpySeed seed: UInt32) -> GeneratedSample {
        var source = NumpyLegacyRandom(seed: seed)
        return generate(from: &source)
    }

    /// Draws one accepted sample from a random source.
    public func generate(from source: inout some GeneratorRandomSource) -> GeneratedSample {
        let (accepted, rejections, unaryCount) = generateAccepted(from: &source)
        return GeneratedSample(
            sample: accepted.sample, rejections: rejections,
            drawnBinaryOperators: accepted.binaryCount, drawnUnaryOperators: unaryCount)
    }

    /// Draws one accepted attempt, with the rejections before it and the drawn unary count.
    ///
    /// Without `exactRejections` an attempt stops evaluating as soon as its rejection is certain
    /// (see ``Evaluator/stopsAtNaN``): the draws and the accepted attempt are the same, but a
    /// `exception FloatingPointError` may be reported as `generation error`.
    func generateAccepted(
        from source: inout some GeneratorRandomSource, exactRejections: Bool = true
    ) -> (AcceptedAttempt, [GenerationRejection], Int) {
        var scratch = AttemptScratch()
        return generateAccepted(from: &source, exactRejections: exactRejections, scratch: &scratch)
    }

    /// ``generateAccepted(from:exactRejections:)`` working in `scratch`'s buffers, kept
    /// by the caller for its next samples.
    func generateAccepted(
        from source: inout some GeneratorRandomSource, exactRejections: Bool,
        scratch: inout AttemptScratch
    ) -> (AcceptedAttempt, [GenerationRejection], Int) {
        let c = configuration
        // gen_expr with use_controller: the unary count and the dimension are drawn once.
        let unaryCount = source.integer(c.minUnaryOps, c.maxUnaryOps + 1)
        let dimension = source.integer(c.minInputDimension, c.maxInputDimension + 1)
        var rejections: [GenerationRejection] = []
        while true {
            switch attempt(
                dimension: dimension, unaryCount: unaryCount, probabilities: probabilities,
                exactRejections: exactRejections, scratch: &scratch, source: &source)
            {
            case .success(let accepted): return (accepted, rejections, unaryCount)
            case .failure(let rejection): rejections.append(rejection)
            }
        }
    }

    /// One attempt of the reference's `_gen_expr` with a fixed dimension and unary count.
    func attempt(
        dimension d: Int, unaryCount: Int, probabilities: OperatorProbabilities,
        exactRejections: Bool = true, scratch: inout AttemptScratch,
        source: inout some GeneratorRandomSource
    ) -> Result<AcceptedAttempt, GenerationRejection> {
        let c = configuration
        _ = source.integer(1, 2)  // the output dimension (an empty range draws nothing)
        let binaryCount = source.integer(
            c.minBinaryOpsPerDimension * d, c.maxBinaryOpsOffset + c.maxBinaryOpsPerDimension * d)
        guard
            randomShape(
                binaryOperators: binaryCount, dimension: d, probabilities: probabilities,
                scratch: &scratch, source: &source)
        else { return .failure(.countingTableTooSmall) }
        addUnaries(
            keeping: unaryCount, probabilities: probabilities, scratch: &scratch, source: &source)
        var tree = addPrefactors(to: scratch.shape, source: &source)
        let used = tree.relabelVariables()
        if used == 0 || (c.enforceDimension && used < d) { return .failure(.badInputDimension) }
        let distribution = source.nextDouble() < 0.5 ? 0 : 1
        let centroids = source.integer(1, c.maxCentroids)
        guard
            let x = randomPoints(
                dimension: used, centroids: centroids, gaussian: distribution == 0,
                source: &source)
        else { return .failure(.floatingPointError) }
        let y: [Double]
        do {
            var evaluator = try Evaluator(
                tree, columns: x, count: x.first?.count ?? 0, raising: true,
                stopsAtNaN: !exactRejections, arena: scratch.arena)
            switch try evaluator.evaluate() {
            case .ok(let operand): y = evaluator.read(operand)
            case .rejected: return .failure(.generationError)  // or FloatingPointError: not known
            case .raised: return .failure(.floatingPointError)
            }
        } catch {
            return .failure(.floatingPointError)
        }
        let limit = c.maxOutputMagnitude
        guard y.allSatisfy({ !$0.isNaN && Swift.abs($0) < limit }) else {
            return .failure(.generationError)
        }
        _ = source.uniform(0, 0)  // the output-noise level (train_noise_gamma = 0)
        let outputs = c.normalizeY ? Sample.minMaxScaled(y) : y
        let info = SampleInfo(
            inputPointCount: c.pointCount, unaryOperatorCount: tree.unaryOperatorCount,
            binaryOperatorCount: tree.binaryOperatorCount, inputDimension: used,
            outputDimension: 1, inputDistributionType: distribution, centroidCount: centroids)
        var skeletonTokens: [String]? = nil
        if !tree.hasSimpleSkeleton {
            let tokenizer = FloatTokenizer(precision: c.floatPrecision)
            guard let tokens = tree.expression.skeletonTokens(tokenizer: tokenizer) else {
                return .failure(.generationError)
            }
            skeletonTokens = tokens
        }
        return .success(
            AcceptedAttempt(
                flat: tree, columns: x, y: outputs, info: info,
                otherSkeletonTokens: skeletonTokens, binaryCount: binaryCount))
    }
}

/// An accepted attempt, its tree flat and its points still as columns.
struct AcceptedAttempt {
    /// The expression.
    var flat: FlatExpression
    /// The inputs as columns, [d][n].
    var columns: [[Double]]
    /// The outputs, [n].
    var y: [Double]
    /// The info fields.
    var info: SampleInfo
    /// The skeleton's equation tokens when the tree has no ``FlatExpression/hasSimpleSkeleton``
    /// (never for generated trees); otherwise they are the prefix tokens with `CONSTANT`.
    var otherSkeletonTokens: [String]?
    /// The binary operators drawn for the tree before prefactors.
    var binaryCount: Int

    /// The expression.
    var tree: Expression { flat.expression }

    /// The equation tokens of the skeleton.
    var skeletonTokens: [String] { otherSkeletonTokens ?? flat.simpleSkeletonTokens }

    /// The sample, with its points as rows.
    var sample: Sample {
        let n = y.count
        let rows = (0..<n).map { i in columns.map { $0[i] } }
        return Sample(tree: tree, x: rows, y: y, info: info, skeletonTokens: skeletonTokens)
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
        // Already numbered 0…k−1 (always so at dimension 1): nothing to rebuild.
        if used.count == (used.max() ?? -1) + 1 { return (self, used.count) }
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
