/// The reference's `gen_expr` replayed draw for draw on numpy's legacy stream, so that a seed
/// gives the reference's own sample (`env.rng = np.random.RandomState(seed)`), for inputs of
/// dimension 1.
///
/// Dimension > 1 is not supported: the reference draws its rotations from the *global* numpy
/// stream with scipy's `special_ortho_group`, which is not reproduced here. Use
/// ``ExpressionGenerator`` for the reference's distribution at any dimension.
public struct ReferenceGenerator: Sendable {
    /// One accepted sample and the reference's record of its attempts.
    public struct Result: Hashable, Sendable {
        /// The accepted sample (points in generation order).
        public var sample: Sample
        /// One entry per attempt, as the reference logs them: `ok` last, before it
        /// `exception IndexError`, `bad input dimension`, `generation error` or
        /// `exception FloatingPointError`.
        public var attempts: [String]
    }

    /// The generator parameters (`maxInputDimension` must be 1).
    public var configuration: GeneratorConfiguration

    /// A replaying generator; `configuration.maxInputDimension` must be 1.
    public init(configuration: GeneratorConfiguration = GeneratorConfiguration()) {
        precondition(
            configuration.maxInputDimension == 1 && configuration.minInputDimension == 1,
            "ReferenceGenerator replays dimension 1 only")
        self.configuration = configuration
    }

    /// The reference's sample for `env.rng = np.random.RandomState(seed)`.
    public func generate(seed: UInt32) -> Result {
        var random = NumpyLegacyRandom(seed: seed)
        return generate(using: &random)
    }

    /// The reference's next sample from a legacy stream.
    public func generate(using random: inout NumpyLegacyRandom) -> Result {
        let c = configuration
        // gen_expr with use_controller: the unary count and dimension are drawn once.
        let unaryCount = random.integer(c.minUnaryOps, c.maxUnaryOps + 1)
        let dimension = random.integer(c.minInputDimension, c.maxInputDimension + 1)
        var attempts: [String] = []
        while true {
            switch attempt(dimension: dimension, unaryCount: unaryCount, random: &random) {
            case .success(let sample):
                attempts.append("ok")
                return Result(sample: sample, attempts: attempts)
            case .failure(let rejection):
                attempts.append(rejection.rawValue)
            }
        }
    }

    private func attempt(dimension d: Int, unaryCount: Int, random: inout NumpyLegacyRandom)
        -> Swift.Result<Sample, GenerationRejection>
    {
        let c = configuration
        _ = random.integer(1, 2)  // output dimension (an empty range draws nothing)
        let binaryCount = random.integer(
            c.minBinaryOpsPerDimension * d, c.maxBinaryOpsOffset + c.maxBinaryOpsPerDimension * d)
        guard var tree = randomTree(binaryOperators: binaryCount, dimension: d, random: &random)
        else { return .failure(.countingTableTooSmall) }
        tree = addUnaries(to: tree, keeping: unaryCount, random: &random)
        tree = addPrefactors(to: tree, random: &random)
        let (relabelled, used) = tree.relabellingVariables()
        if used == 0 || (c.enforceDimension && used < d) { return .failure(.badInputDimension) }
        tree = relabelled
        let distribution = random.nextDouble() < 0.5 ? 0 : 1
        let centroids = random.integer(1, c.maxCentroids)
        let x = points(centroids: centroids, gaussian: distribution == 0, random: &random)
        let y: [Double]
        switch try? tree.evaluateRaising(rows: x) {
        case .values(let values, _)?: y = values
        default: return .failure(.floatingPointError)
        }
        let limit = c.maxOutputMagnitude
        guard y.allSatisfy({ !$0.isNaN && Swift.abs($0) < limit }) else {
            return .failure(.generationError)
        }
        _ = random.uniform(0, 0)  // the output-noise level gamma (train_noise_gamma 0)
        var outputs = y
        if c.normalizeY, let low = y.min(), let high = y.max() {
            outputs = y.map { ($0 - low) / (high - low + 1e-10) }
        }
        let info = SampleInfo(
            inputPointCount: x.count, unaryOperatorCount: tree.unaryOperatorCount,
            binaryOperatorCount: tree.binaryOperatorCount, inputDimension: used,
            outputDimension: 1, inputDistributionType: distribution, centroidCount: centroids)
        let tokenizer = FloatTokenizer(precision: c.floatPrecision)
        guard let skeleton = try? tree.skeleton.encodedTokens(tokenizer: tokenizer) else {
            return .failure(.generationError)
        }
        return .success(Sample(tree: tree, x: x, y: outputs, info: info, skeletonTokens: skeleton))
    }

    /// numpy normalises `p` before `choice`; sums use numpy's pairwise order.
    private static func normalised(_ weights: [Double]) -> [Double] {
        let total = FunctionProperties.numpySum(weights[...])
        return weights.map { $0 / total }
    }

    private func randomTree(binaryOperators: Int, dimension: Int, random: inout NumpyLegacyRandom)
        -> Expression?
    {
        let c = configuration
        let table = ExpressionGenerator.countingTable(
            maxOperators: 2 * c.maxBinaryOpsPerDimension * c.maxInputDimension)
        func entry(_ n: Int, _ e: Int) -> Double? {
            table.indices.contains(n) && table[n].indices.contains(e) ? table[n][e] : nil
        }
        // The reference's binary operators are add, sub, mul, div (pow is not one of them).
        let binaries: [BinaryOperator] = [.add, .sub, .mul, .div]
        let binaryProbabilities = Self.normalised(binaries.map { c.binaryWeights[$0] ?? 1 })
        var operators: [BinaryOperator?] = [nil]
        var children: [[Int]] = [[]]
        var nextEmpty = 0
        var emptyCount = 1
        var remaining = binaryOperators
        while remaining > 0 {
            var counts: [Double] = []
            for i in 0..<emptyCount {
                guard let w = entry(remaining - 1, emptyCount - i + 1) else { return nil }
                counts.append(w)
            }
            guard let total = entry(remaining, emptyCount) else { return nil }
            let position = random.choice(weights: counts.map { $0 / total })
            nextEmpty += position
            operators[nextEmpty] = binaries[random.choice(weights: binaryProbabilities)]
            for _ in 0..<2 {
                children[nextEmpty].append(operators.count)
                operators.append(nil)
                children.append([])
            }
            nextEmpty += 1
            emptyCount += 1 - position
            remaining -= 1
        }
        var order = Array(operators.indices)
        random.shuffle(&order)
        var leaves = [Leaf?](repeating: nil, count: operators.count)
        var usedDimensions = 0
        for node in order where children[node].isEmpty {
            _ = random.nextDouble()  // `rng.rand() < prob_rand` (0)
            if usedDimensions < dimension {
                leaves[node] = .variable(usedDimensions)
                usedDimensions += 1
            } else {
                _ = random.nextDouble()  // `rng.rand() < prob_const` (0)
                leaves[node] = .variable(random.integer(0, dimension))
            }
        }
        func build(_ node: Int) -> Expression {
            guard let op = operators[node] else { return .leaf(leaves[node]!) }
            return .binary(op, build(children[node][0]), build(children[node][1]))
        }
        return build(0)
    }

    private func addUnaries(
        to tree: Expression, keeping count: Int, random: inout NumpyLegacyRandom
    )
        -> Expression
    {
        let unaries = UnaryOperator.allCases  // the reference's order
        let probabilities = Self.normalised(unaries.map { configuration.unaryWeights[$0] ?? 1 })
        func decorate(_ e: Expression) -> Expression {
            func child(_ c: Expression) -> Expression {
                if c.nodeCount < configuration.maxUnaryDepth {
                    let op = unaries[random.choice(weights: probabilities)]
                    return .unary(op, decorate(c))
                }
                return decorate(c)
            }
            switch e {
            case .leaf: return e
            case .unary(let op, let a): return .unary(op, child(a))
            case .binary(let op, let a, let b):
                let left = child(a)
                return .binary(op, left, child(b))
            }
        }
        var tokens = decorate(tree).prefixTokens
        var positions = tokens.indices.filter { UnaryOperator(rawValue: tokens[$0]) != nil }
        random.shuffle(&positions)
        if positions.count > count {
            for i in positions.prefix(positions.count - count).sorted(by: >) {
                tokens.remove(at: i)
            }
        }
        return try! Expression(prefixTokens: tokens)
    }

    /// The reference's `generate_float`: sign, mantissa 1…999, exponent, as `str(float)`.
    private func prefactor(random: inout NumpyLegacyRandom) -> Expression {
        let c = configuration
        let negative = random.integer(0, 2) == 0  // choice([-1, 1])
        var limit = 1
        for _ in 0..<c.floatPrecision { limit *= 10 }
        let mantissa = Double(random.integer(0, limit - 1) + 1)  // choice(range(1, limit))
        let center = (c.floatPrecision + 1) / 2
        let exponent = random.integer(
            -c.maxExponentPrefactor - center, c.maxExponentPrefactor - center + 1)
        let magnitude = mantissa * PythonFloat.pow(10, Double(exponent))
        return .float(negative ? -magnitude : magnitude)
    }

    private func addPrefactors(to tree: Expression, random: inout NumpyLegacyRandom) -> Expression {
        func isSum(_ e: Expression) -> Bool {
            if case .binary(let op, _, _) = e { return op == .add || op == .sub }
            return false
        }
        func transform(_ e: Expression) -> Expression {
            let a = prefactor(random: &random)  // drawn at every node, used or not
            let b = prefactor(random: &random)
            switch e {
            case .leaf: return e
            case .binary(let op, let l, let r) where op == .add || op == .sub:
                let left = isSum(l) ? transform(l) : .binary(.mul, a, transform(l))
                let right = isSum(r) ? transform(r) : .binary(.mul, b, transform(r))
                return .binary(op, left, right)
            case .binary(let op, let l, let r):
                let left = transform(l)
                return .binary(op, left, transform(r))
            case .unary(let op, let child) where !isSum(child):
                return .unary(op, .binary(.add, a, .binary(.mul, b, transform(child))))
            case .unary(let op, let child):
                return .unary(op, transform(child))
            }
        }
        var result = transform(tree)
        if result == tree { result = .binary(.mul, prefactor(random: &random), result) }
        return .binary(.add, prefactor(random: &random), result)
    }

    /// The reference's `_generate_datapoints` for dimension 1 (no rotations).
    private func points(centroids: Int, gaussian: Bool, random: inout NumpyLegacyRandom)
        -> [[Double]]
    {
        let n = configuration.pointCount
        let means = (0..<centroids).map { _ in random.gaussian() }
        let variances = (0..<centroids).map { _ in random.uniform(0, 1) }
        let rawWeights = (0..<centroids).map { _ in random.uniform(0, 1) }
        let total = FunctionProperties.numpySum(rawWeights[...])
        let counts = random.multinomial(n, rawWeights.map { $0 / total })
        var column: [Double] = []
        column.reserveCapacity(n)
        for k in 0..<centroids {
            let spread = variances[k].squareRoot()
            for _ in 0..<counts[k] {
                if gaussian {
                    // multivariate_normal: z · (sqrt(s) · v) + mean, with the 1×1 SVD s = var, v = 1.
                    column.append(random.gaussian() * spread + means[k])
                } else {
                    column.append(means[k] + random.uniform(-1, 1) * spread)
                }
            }
        }
        let mean = FunctionProperties.numpySum(column[...]) / Double(n)
        let squares = column.map { ($0 - mean) * ($0 - mean) }
        let std = (FunctionProperties.numpySum(squares[...]) / Double(n)).squareRoot()
        return column.map { [($0 - mean) / std] }
    }
}
