// Speed code. The plain version of these stages (a small tree of nodes, top to bottom) is
// `PlainGenerator.attempt` in PlainGenerator.swift; PlainGeneratorTests checks the two agree.

/// The tree stages of an attempt, on flat arrays (no tree of indirect-enum nodes per stage),
/// with the reference's draws in its order: `_generate_random_tree` (a uniformly random binary
/// tree through the counting table, then random leaves), `add_unaries` (a unary operator above
/// every child subtree with fewer than `maxUnaryDepth` nodes, then random ones removed down to
/// the count) and `add_prefactors`.
extension ExpressionGenerator {
    /// The reference's binary operators, in its order (pow is not one of them).
    static let generatedBinaries: [BinaryOperator] = [.add, .sub, .mul, .div]
    /// The unary operators in the reference's order.
    static let generatedUnaries: [UnaryOperator] = UnaryOperator.allCases

    /// The probabilities an attempt draws operators with, made once per sample.
    struct OperatorProbabilities {
        /// Of ``generatedBinaries``.
        var binary: [Double]
        /// Of ``generatedUnaries``.
        var unary: [Double]

        init(_ c: GeneratorConfiguration) {
            binary = ExpressionGenerator.normalised(
                ExpressionGenerator.generatedBinaries.map { c.binaryWeights[$0] ?? 1 })
            unary = ExpressionGenerator.normalised(
                ExpressionGenerator.generatedUnaries.map { c.unaryWeights[$0] ?? 1 })
        }
    }

    /// A binary tree in creation order (a node's children are created after it, side by
    /// side), with a unary operator above some nodes.
    struct TreeShape {
        /// The binary operator's index in ``generatedBinaries``, or −1 for a leaf.
        var op: [Int8]
        /// A binary node's first child (the second is the next node); a leaf's variable.
        var first: [Int32]
        /// The index in ``generatedUnaries`` of the unary operator above the node, or −1.
        var unary: [Int8]

        var count: Int { op.count }

        /// An empty shape.
        init() {
            op = []
            first = []
            unary = []
        }

        /// Makes the shape `nodeCount` leaves without unary operators, keeping its storage.
        mutating func reset(nodeCount: Int) {
            op.removeAll(keepingCapacity: true)
            op.append(contentsOf: repeatElement(-1, count: nodeCount))
            first.removeAll(keepingCapacity: true)
            first.append(contentsOf: repeatElement(0, count: nodeCount))
            unary.removeAll(keepingCapacity: true)
            unary.append(contentsOf: repeatElement(-1, count: nodeCount))
        }

        @inline(__always)
        func isSum(_ node: Int) -> Bool { op[node] == 0 || op[node] == 1 }
    }

    /// The reference's random tree as `scratch.shape` (no unary operators yet); `false` when
    /// the counting table is too small.
    func randomShape(
        binaryOperators: Int, dimension: Int, probabilities: OperatorProbabilities,
        scratch: inout AttemptScratch, source: inout some GeneratorRandomSource
    ) -> Bool {
        let c = configuration
        let tableOperators =
            c.referenceCountingTable
            ? 2 * c.maxBinaryOpsPerDimension * c.maxInputDimension
            : Swift.max(binaryOperators, 1)
        let table = CountingTables.shared.table(maxOperators: tableOperators)
        func entry(_ n: Int, _ e: Int) -> Double? {
            n >= 0 && n < table.count && e >= 0 && e < table[n].count ? table[n][e] : nil
        }
        let nodeCount = 2 * binaryOperators + 1
        scratch.shape.reset(nodeCount: nodeCount)
        var created = 1
        var nextEmpty = 0
        var emptyCount = 1
        var remaining = binaryOperators
        while remaining > 0 {
            scratch.weights.removeAll(keepingCapacity: true)
            for i in 0..<emptyCount {
                guard let w = entry(remaining - 1, emptyCount - i + 1) else { return false }
                scratch.weights.append(w)
            }
            guard let total = entry(remaining, emptyCount) else { return false }
            for i in 0..<emptyCount { scratch.weights[i] /= total }
            let position = source.choice(weights: scratch.weights)
            nextEmpty += position
            scratch.shape.op[nextEmpty] = Int8(source.choice(weights: probabilities.binary))
            scratch.shape.first[nextEmpty] = Int32(created)
            created += 2
            nextEmpty += 1
            emptyCount += 1 - position
            remaining -= 1
        }
        // Leaves, in a shuffled node order: each variable once, then uniform variables.
        scratch.order.removeAll(keepingCapacity: true)
        scratch.order.append(contentsOf: 0..<nodeCount)
        source.shuffle(&scratch.order)
        var usedDimensions = 0
        for node in scratch.order where scratch.shape.op[node] < 0 {
            _ = source.nextDouble()  // `rng.rand() < prob_rand` (prob_rand = 0)
            if usedDimensions < dimension {
                scratch.shape.first[node] = Int32(usedDimensions)
                usedDimensions += 1
            } else {
                _ = source.nextDouble()  // `rng.rand() < prob_const` (prob_const = 0)
                scratch.shape.first[node] = Int32(source.integer(0, dimension))
            }
        }
        return true
    }

    /// The reference's unary insertion and pruning on a shape: a unary operator above every child with
    /// fewer than `maxUnaryDepth` nodes, then random ones removed down to `count`.
    func addUnaries(
        keeping count: Int, probabilities: OperatorProbabilities, scratch: inout AttemptScratch,
        source: inout some GeneratorRandomSource
    ) {
        // The shape is moved out of the scratch while it is worked on (no copy of its arrays).
        var shape = scratch.shape
        scratch.shape = TreeShape()
        defer { scratch.shape = shape }
        let n = shape.count
        // Subtree sizes: children come after their parent.
        var size = scratch.sizes
        scratch.sizes = []
        defer { scratch.sizes = size }
        size.removeAll(keepingCapacity: true)
        size.append(contentsOf: repeatElement(1, count: n))
        for i in stride(from: n - 1, through: 0, by: -1) where shape.op[i] >= 0 {
            let a = Int(shape.first[i])
            size[i] = 1 + size[a] + size[a + 1]
        }
        let depth = configuration.maxUnaryDepth
        // The nodes given a unary operator, in the order drawn, which is the prefix order of
        // those operators.
        var decorated = scratch.decorated
        scratch.decorated = []
        defer { scratch.decorated = decorated }
        decorated.removeAll(keepingCapacity: true)
        func decorate(_ node: Int) {
            guard shape.op[node] >= 0 else { return }
            let a = Int(shape.first[node])
            for child in a...(a + 1) {
                if Int(size[child]) < depth {
                    shape.unary[child] = Int8(source.choice(weights: probabilities.unary))
                    decorated.append(Int32(child))
                }
                decorate(child)
            }
        }
        decorate(0)
        let unaryCount = decorated.count
        scratch.ordinals.removeAll(keepingCapacity: true)
        scratch.ordinals.append(contentsOf: 0..<unaryCount)
        source.shuffle(&scratch.ordinals)  // drawn even when nothing is removed
        guard unaryCount > count else { return }
        for i in scratch.ordinals.prefix(unaryCount - count) {
            shape.unary[Int(decorated[i])] = -1
        }
    }

    /// The reference's `add_prefactors` (`mul,a,` on the terms of sums, `add,a,mul,b,` around
    /// unary arguments that are not sums, `mul,a` on top if nothing changed, then `add,a`; two
    /// prefactors drawn at every node, used or not) on a shape with its unary operators, written
    /// as a ``FlatExpression``.
    func addPrefactors(to shape: TreeShape, source: inout some GeneratorRandomSource)
        -> FlatExpression
    {
        typealias Node = FlatExpression.Node
        let precision = configuration.floatPrecision
        // Room for the top `add, a, mul, b` (written last, as they are drawn last), then the
        // tree: each node gains at most 4 (a unary operator's `add, a, mul, b`).
        var nodes: [Node] = []
        nodes.reserveCapacity(4 + 5 * shape.count)
        for _ in 0..<4 { nodes.append(Node(kind: .placeholder)) }
        var leaves: [Leaf] = []
        func constant(_ p: DrawnPrefactor) -> Node {
            if precision == 3 && (-3 ... -1).contains(p.exponent) {
                let index = (p.negative ? 1 : 0) + 2 * (p.mantissa * 3 + p.exponent + 3)
                return Node(
                    kind: .constant, value: Self.defaultPrefactorValues[index],
                    leaf: Int32(-index - 1))
            }
            let leaf = p.leaf
            leaves.append(leaf)
            guard case .number(let text) = leaf else { preconditionFailure("a prefactor") }
            return Node(
                kind: .constant, value: Evaluator.value(ofLiteral: text),
                leaf: Int32(leaves.count - 1))
        }
        var changed = false
        // `transform` of the node, or of the unary operator above it when `above`.
        func transform(_ node: Int, above: Bool) {
            let a = drawPrefactor(source: &source)
            let b = drawPrefactor(source: &source)
            if above {
                let op = Self.generatedUnaries[Int(shape.unary[node])]
                nodes.append(Node(kind: .unary(op)))
                if shape.isSum(node) {
                    transform(node, above: false)
                } else {
                    changed = true
                    let add = nodes.count
                    nodes.append(Node(kind: .binary(.add)))
                    nodes.append(constant(a))
                    nodes[add].second = Int32(nodes.count)
                    nodes.append(Node(kind: .binary(.mul), second: Int32(nodes.count + 2)))
                    nodes.append(constant(b))
                    transform(node, above: false)
                }
                return
            }
            let op = shape.op[node]
            if op < 0 {
                nodes.append(Node(kind: .variable(Int(shape.first[node]))))
                return
            }
            let sum = op == 0 || op == 1
            if sum { changed = true }
            let binary = nodes.count
            nodes.append(Node(kind: .binary(Self.generatedBinaries[Int(op)])))
            // An operand of a sum that is not itself a sum gets `mul, p` above it.
            func operand(_ child: Int, _ p: DrawnPrefactor) {
                let wrapped = shape.unary[child] >= 0
                if sum && (wrapped || !shape.isSum(child)) {
                    nodes.append(Node(kind: .binary(.mul), second: Int32(nodes.count + 2)))
                    nodes.append(constant(p))
                }
                transform(child, above: wrapped)
            }
            let left = Int(shape.first[node])
            operand(left, a)
            nodes[binary].second = Int32(nodes.count)
            operand(left + 1, b)
        }
        transform(0, above: false)
        // The reference compares the prefix strings: only an added prefactor changes them.
        var start = 2
        if !changed {
            nodes[2] = Node(kind: .binary(.mul), second: 4)
            nodes[3] = constant(drawPrefactor(source: &source))
            start = 0
        }
        nodes[start] = Node(kind: .binary(.add), second: Int32(start + 2))
        nodes[start + 1] = constant(drawPrefactor(source: &source))
        return FlatExpression(nodes: nodes, start: start, leaves: leaves)
    }

    /// The values of ``defaultPrefactors`` (Python's `float` of their text).
    static let defaultPrefactorValues: [Double] = defaultPrefactors.map { leaf in
        guard case .number(let text) = leaf else { preconditionFailure("a prefactor") }
        return Evaluator.value(ofLiteral: text)
    }
}

extension FlatExpression {
    /// ``Expression/relabellingVariables()``: the variables renumbered 0…k−1 in increasing
    /// index order; returns k.
    mutating func relabelVariables() -> Int {
        var used: UInt64 = 0
        var large = Set<Int>()  // indices beyond 63 (never for generated trees)
        for i in start..<nodes.count {
            if case .variable(let v) = nodes[i].kind {
                if v >= 0 && v < 64 { used |= 1 << UInt64(v) } else { large.insert(v) }
            }
        }
        if large.isEmpty {
            let k = used.nonzeroBitCount
            if used == (k == 64 ? ~0 : (1 << UInt64(k)) - 1) { return k }
            for i in start..<nodes.count {
                if case .variable(let v) = nodes[i].kind {
                    let below = used & ((1 << UInt64(v)) - 1)
                    nodes[i].kind = .variable(below.nonzeroBitCount)
                }
            }
            return k
        }
        var all = large
        for v in 0..<64 where used & (1 << UInt64(v)) != 0 { all.insert(v) }
        if all.count == (all.max() ?? -1) + 1 { return all.count }
        let mapping = Dictionary(uniqueKeysWithValues: all.sorted().enumerated().map { ($1, $0) })
        for i in start..<nodes.count {
            if case .variable(let v) = nodes[i].kind { nodes[i].kind = .variable(mapping[v]!) }
        }
        return all.count
    }
}
