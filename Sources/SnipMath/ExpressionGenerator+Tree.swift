/// Tree sampling: shape, leaves, unary operators and prefactors.
extension ExpressionGenerator {
    /// Draws an index with probability proportional to `weights`.
    static func weightedIndex(
        _ weights: [Double], using generator: inout some RandomNumberGenerator
    )
        -> Int
    {
        let total = weights.reduce(0, +)
        var u = Double.random(in: 0..<1, using: &generator) * total
        for (i, w) in weights.enumerated() where w > 0 {
            if u < w { return i }
            u -= w
        }
        return weights.lastIndex { $0 > 0 }!
    }

    /// The counting table of binary trees: `table[n][e]` is the number of trees with n binary
    /// operators that can be grown from e empty nodes, sized for `maxOperators` like the
    /// reference's `generate_dist` (rows 0…2·maxOperators, row n with 2·maxOperators − n + 1
    /// entries).
    static func countingTable(maxOperators: Int) -> [[Double]] {
        let size = 2 * maxOperators
        var table: [[Double]] = [[0] + Array(repeating: 1, count: size)]
        if size == 0 { return table }
        for n in 1...size {
            var row: [Double] = [0]
            if size - n >= 1 {
                for e in 1...(size - n) { row.append(row[e - 1] + table[n - 1][e + 1]) }
            }
            table.append(row)
        }
        return table
    }

    /// A uniformly random binary tree with `binaryOperators` operators and random leaves, or
    /// `nil` when the reference's counting table is too small for it.
    func randomTree(
        binaryOperators: Int, dimension: Int, using generator: inout some RandomNumberGenerator
    ) -> Expression? {
        let c = configuration
        let tableOperators =
            c.referenceCountingTable
            ? 2 * c.maxBinaryOpsPerDimension * c.maxInputDimension
            : Swift.max(binaryOperators, 1)
        let table = Self.countingTable(maxOperators: tableOperators)
        func entry(_ n: Int, _ e: Int) -> Double? {
            table.indices.contains(n) && table[n].indices.contains(e) ? table[n][e] : nil
        }
        let binaries = BinaryOperator.allCases
        let binaryWeights = binaries.map { c.binaryWeights[$0] ?? 1 }
        // Nodes in creation order; an empty node has no operator.
        var operators: [BinaryOperator?] = [nil]
        var children: [[Int]] = [[]]
        var nextEmpty = 0
        var emptyCount = 1
        var remaining = binaryOperators
        while remaining > 0 {
            guard let total = entry(remaining, emptyCount) else { return nil }
            var weights: [Double] = []
            for i in 0..<emptyCount {
                guard let w = entry(remaining - 1, emptyCount - i + 1) else { return nil }
                weights.append(w / total)
            }
            let position = Self.weightedIndex(weights, using: &generator)
            nextEmpty += position
            operators[nextEmpty] = binaries[Self.weightedIndex(binaryWeights, using: &generator)]
            for _ in 0..<2 {
                children[nextEmpty].append(operators.count)
                operators.append(nil)
                children.append([])
            }
            nextEmpty += 1
            emptyCount += 1 - position
            remaining -= 1
        }
        // Leaves: in a shuffled order, each variable once, then uniform variables.
        var leaves = [Leaf?](repeating: nil, count: operators.count)
        var usedDimensions = 0
        for node in operators.indices.shuffled(using: &generator) where children[node].isEmpty {
            if usedDimensions < dimension {
                leaves[node] = .variable(usedDimensions)
                usedDimensions += 1
            } else {
                leaves[node] = .variable(Int.random(in: 0..<dimension, using: &generator))
            }
        }
        func build(_ node: Int) -> Expression {
            guard let op = operators[node] else { return .leaf(leaves[node]!) }
            return .binary(op, build(children[node][0]), build(children[node][1]))
        }
        return build(0)
    }

    /// Inserts a random unary operator above every child subtree with fewer than
    /// `maxUnaryDepth` nodes, then removes random ones down to `count`.
    func addUnaries(
        to tree: Expression, keeping count: Int, using generator: inout some RandomNumberGenerator
    ) -> Expression {
        let unaries = UnaryOperator.allCases
        let weights = unaries.map { configuration.unaryWeights[$0] ?? 1 }
        func decorate(_ e: Expression) -> Expression {
            func child(_ c: Expression) -> Expression {
                if c.nodeCount < configuration.maxUnaryDepth {
                    let op = unaries[Self.weightedIndex(weights, using: &generator)]
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
        positions.shuffle(using: &generator)
        if positions.count > count {
            for i in positions.prefix(positions.count - count).sorted(by: >) {
                tokens.remove(at: i)
            }
        }
        // Removing unary tokens keeps a prefix list well formed.
        return try! Expression(prefixTokens: tokens)
    }

    /// A random prefactor ±(1…999)·10^e, e ∈ [−p − (precision+1)/2, p − (precision+1)/2].
    func randomPrefactor(using generator: inout some RandomNumberGenerator) -> Expression {
        let c = configuration
        let negative = Bool.random(using: &generator)
        var limit = 1
        for _ in 0..<c.floatPrecision { limit *= 10 }
        let mantissa = Double(Int.random(in: 1..<limit, using: &generator))
        let center = (c.floatPrecision + 1) / 2
        let exponent = Int.random(
            in: (-c.maxExponentPrefactor - center)...(c.maxExponentPrefactor - center),
            using: &generator)
        let magnitude = mantissa * PythonFloat.pow(10, Double(exponent))
        return .float(negative ? -magnitude : magnitude)
    }

    /// The reference's `add_prefactors`: `mul,a,` on the terms of sums, `add,a,mul,b,` around
    /// unary arguments that are not sums, `mul,a` on top if nothing changed, then `add,a`.
    func addPrefactors(to tree: Expression, using generator: inout some RandomNumberGenerator)
        -> Expression
    {
        func isSum(_ e: Expression) -> Bool {
            if case .binary(let op, _, _) = e { return op == .add || op == .sub }
            return false
        }
        func transform(_ e: Expression) -> Expression {
            switch e {
            case .leaf: return e
            case .binary(let op, let a, let b) where op == .add || op == .sub:
                let left =
                    isSum(a)
                    ? transform(a) : .binary(.mul, randomPrefactor(using: &generator), transform(a))
                let right =
                    isSum(b)
                    ? transform(b) : .binary(.mul, randomPrefactor(using: &generator), transform(b))
                return .binary(op, left, right)
            case .binary(let op, let a, let b):
                let left = transform(a)
                return .binary(op, left, transform(b))
            case .unary(let op, let a) where !isSum(a):
                let shift = randomPrefactor(using: &generator)
                let scale = randomPrefactor(using: &generator)
                return .unary(op, .binary(.add, shift, .binary(.mul, scale, transform(a))))
            case .unary(let op, let a):
                return .unary(op, transform(a))
            }
        }
        var result = transform(tree)
        if result == tree { result = .binary(.mul, randomPrefactor(using: &generator), result) }
        return .binary(.add, randomPrefactor(using: &generator), result)
    }
}
