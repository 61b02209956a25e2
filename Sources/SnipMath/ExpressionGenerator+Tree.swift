import Foundation

/// Tree sampling: shape, leaves, unary operators and prefactors, with the reference's draws.
extension ExpressionGenerator {
    /// numpy normalises `p` before `choice`, summing in numpy's pairwise order.
    static func normalised(_ weights: [Double]) -> [Double] {
        let total = FunctionProperties.numpySum(weights[...])
        return weights.map { $0 / total }
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
        binaryOperators: Int, dimension: Int, source: inout some GeneratorRandomSource
    ) -> Expression? {
        let c = configuration
        let tableOperators =
            c.referenceCountingTable
            ? 2 * c.maxBinaryOpsPerDimension * c.maxInputDimension
            : Swift.max(binaryOperators, 1)
        let table = CountingTables.shared.table(maxOperators: tableOperators)
        func entry(_ n: Int, _ e: Int) -> Double? {
            table.indices.contains(n) && table[n].indices.contains(e) ? table[n][e] : nil
        }
        // The reference's binary operators are add, sub, mul, div (pow is not one of them).
        let binaries: [BinaryOperator] = [.add, .sub, .mul, .div]
        let binaryProbabilities = Self.normalised(binaries.map { c.binaryWeights[$0] ?? 1 })
        // Nodes in creation order; an empty node has no operator.
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
            let position = source.choice(weights: counts.map { $0 / total })
            nextEmpty += position
            operators[nextEmpty] = binaries[source.choice(weights: binaryProbabilities)]
            for _ in 0..<2 {
                children[nextEmpty].append(operators.count)
                operators.append(nil)
                children.append([])
            }
            nextEmpty += 1
            emptyCount += 1 - position
            remaining -= 1
        }
        // Leaves, in a shuffled node order: each variable once, then uniform variables.
        var order = Array(operators.indices)
        source.shuffle(&order)
        var leaves = [Leaf?](repeating: nil, count: operators.count)
        var usedDimensions = 0
        for node in order where children[node].isEmpty {
            _ = source.nextDouble()  // `rng.rand() < prob_rand` (prob_rand = 0)
            if usedDimensions < dimension {
                leaves[node] = .variable(usedDimensions)
                usedDimensions += 1
            } else {
                _ = source.nextDouble()  // `rng.rand() < prob_const` (prob_const = 0)
                leaves[node] = .variable(source.integer(0, dimension))
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
        to tree: Expression, keeping count: Int, source: inout some GeneratorRandomSource
    ) -> Expression {
        let unaries = UnaryOperator.allCases  // the reference's order
        let probabilities = Self.normalised(unaries.map { configuration.unaryWeights[$0] ?? 1 })
        func decorate(_ e: Expression) -> Expression {
            func child(_ c: Expression) -> Expression {
                if c.nodeCount < configuration.maxUnaryDepth {
                    let op = unaries[source.choice(weights: probabilities)]
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
        // The reference shuffles the prefix positions of the unary tokens and deletes the first
        // ones; shuffling their ordinals (in prefix order) instead draws the same numbers and
        // picks the same operators.
        let decorated = decorate(tree)
        let unaryCount = decorated.unaryOperatorCount
        var ordinals = Array(0..<unaryCount)
        source.shuffle(&ordinals)  // drawn even when nothing is removed
        guard unaryCount > count else { return decorated }
        var removed = [Bool](repeating: false, count: unaryCount)
        for i in ordinals.prefix(unaryCount - count) { removed[i] = true }
        var ordinal = 0
        func prune(_ e: Expression) -> Expression {
            switch e {
            case .leaf: return e
            case .unary(let op, let a):
                let drop = removed[ordinal]
                ordinal += 1
                return drop ? prune(a) : .unary(op, prune(a))
            case .binary(let op, let a, let b):
                let left = prune(a)
                return .binary(op, left, prune(b))
            }
        }
        return prune(decorated)
    }

    /// The reference's `generate_float`: sign·mantissa·10^e with mantissa in 1…999 and
    /// e ∈ [−p − (precision+1)/2, p − (precision+1)/2], written as `str(float)`.
    func randomPrefactor(source: inout some GeneratorRandomSource) -> Leaf {
        drawPrefactor(source: &source).leaf
    }

    /// A drawn prefactor, made into a leaf only when it is used (most are not).
    struct DrawnPrefactor {
        var negative: Bool
        var mantissa: Int
        var exponent: Int
        var precision: Int

        var leaf: Leaf {
            if precision == 3 && (-3 ... -1).contains(exponent) {
                return ExpressionGenerator.defaultPrefactors[
                    (negative ? 1 : 0) + 2 * (mantissa * 3 + exponent + 3)]
            }
            return ExpressionGenerator.prefactor(
                negative: negative, mantissa: mantissa, exponent: exponent)
        }
    }

    /// The draws of ``randomPrefactor(source:)``.
    func drawPrefactor(source: inout some GeneratorRandomSource) -> DrawnPrefactor {
        let c = configuration
        let negative = source.integer(0, 2) == 0  // choice([-1, 1])
        var limit = 1
        for _ in 0..<c.floatPrecision { limit *= 10 }
        let mantissa = source.integer(0, limit - 1) + 1  // choice(range(1, limit))
        let center = (c.floatPrecision + 1) / 2
        let exponent = source.integer(
            -c.maxExponentPrefactor - center, c.maxExponentPrefactor - center + 1)
        return DrawnPrefactor(
            negative: negative, mantissa: mantissa, exponent: exponent,
            precision: c.floatPrecision)
    }

    /// The leaf for sign·mantissa·10^exponent, as Python computes and prints it.
    static func prefactor(negative: Bool, mantissa: Int, exponent: Int) -> Leaf {
        let magnitude = Double(mantissa) * PythonFloat.pow(10, Double(exponent))
        return .float(negative ? -magnitude : magnitude)
    }

    /// Every prefactor of the default configuration (mantissas 0…999 — 0 is never drawn —,
    /// exponents −3…−1, both signs), indexed by sign + 2·(mantissa·3 + exponent + 3): making
    /// Python's `str(float)` text once instead of for every draw.
    static let defaultPrefactors: [Leaf] = (0..<1000).flatMap { mantissa in
        (-3 ... -1).flatMap { exponent in
            [false, true].map { prefactor(negative: $0, mantissa: mantissa, exponent: exponent) }
        }
    }

    /// The reference's `add_prefactors`: `mul,a,` on the terms of sums, `add,a,mul,b,` around
    /// unary arguments that are not sums, `mul,a` on top if nothing changed, then `add,a`.
    /// (Two prefactors are drawn at every node, used or not, as the reference does.)
    func addPrefactors(to tree: Expression, source: inout some GeneratorRandomSource)
        -> Expression
    {
        func isSum(_ e: Expression) -> Bool {
            if case .binary(let op, _, _) = e { return op == .add || op == .sub }
            return false
        }
        var changed = false
        func transform(_ e: Expression) -> Expression {
            let a = drawPrefactor(source: &source)
            let b = drawPrefactor(source: &source)
            switch e {
            case .leaf: return e
            case .binary(let op, let l, let r) where op == .add || op == .sub:
                changed = true
                let left = isSum(l) ? transform(l) : .binary(.mul, .leaf(a.leaf), transform(l))
                let right = isSum(r) ? transform(r) : .binary(.mul, .leaf(b.leaf), transform(r))
                return .binary(op, left, right)
            case .binary(let op, let l, let r):
                let left = transform(l)
                return .binary(op, left, transform(r))
            case .unary(let op, let child) where !isSum(child):
                changed = true
                return .unary(
                    op, .binary(.add, .leaf(a.leaf), .binary(.mul, .leaf(b.leaf), transform(child))))
            case .unary(let op, let child):
                return .unary(op, transform(child))
            }
        }
        var result = transform(tree)
        // The reference compares the prefix strings: only an added prefactor changes them.
        if !changed { result = .binary(.mul, .leaf(randomPrefactor(source: &source)), result) }
        return .binary(.add, .leaf(randomPrefactor(source: &source)), result)
    }
}

/// The counting tables already built, shared by all generators and threads (a table depends
/// only on its size, and building one per attempt cost a tenth of the time at dimension 10).
final class CountingTables: @unchecked Sendable {
    static let shared = CountingTables()
    private let lock = NSLock()
    private var tables: [Int: [[Double]]] = [:]

    func table(maxOperators: Int) -> [[Double]] {
        lock.lock()
        defer { lock.unlock() }
        if let t = tables[maxOperators] { return t }
        let t = ExpressionGenerator.countingTable(maxOperators: maxOperators)
        tables[maxOperators] = t
        return t
    }
}
