/// An expression as one array of nodes in prefix order: the generator's working form and what the
/// evaluator walks.
///
/// Building, transforming and evaluating an ``Expression`` (an indirect enum) allocates and
/// reference-counts every node; the generator makes several trees per attempt and rejects about
/// half of its attempts, so it works on this form instead and makes an ``Expression`` only for a
/// sample that is asked for one (the `data.prefix` writer reads this form directly).
///
/// Nodes `start..<nodes.count` are the tree, in prefix order (a node's children follow it, the
/// first child right after it); nodes before `start` are unused.
struct FlatExpression {
    /// One node.
    struct Node {
        enum Kind: Equatable {
            /// `x_i`.
            case variable(Int)
            /// A leaf with a value (a literal, a named constant, `rand`), see ``leaf``.
            case constant
            /// The skeleton's `CONSTANT`, which cannot be evaluated.
            case placeholder
            /// A unary operator; its argument is the next node.
            case unary(UnaryOperator)
            /// A binary operator; its first operand is the next node, the second is ``second``.
            case binary(BinaryOperator)
        }

        var kind: Kind
        /// A binary node's second operand.
        var second: Int32 = 0
        /// A constant's value (as the evaluator reads it).
        var value: Double = 0
        /// A constant's leaf: `leaves[leaf]` when ≥ 0, else the default prefactor
        /// `ExpressionGenerator.defaultPrefactors[-leaf - 1]`.
        var leaf: Int32 = 0
    }

    /// The nodes; the tree is `nodes[start...]`.
    var nodes: [Node]
    /// The root's index.
    var start: Int
    /// The leaves of constants that are not default prefactors.
    var leaves: [Leaf] = []

    init(nodes: [Node], start: Int, leaves: [Leaf] = []) {
        self.nodes = nodes
        self.start = start
        self.leaves = leaves
    }

    /// The flat form of `expression`.
    init(_ expression: Expression) {
        nodes = []
        start = 0
        leaves = []
        append(expression)
    }

    private mutating func append(_ e: Expression) {
        switch e {
        case .leaf(let leaf):
            switch leaf {
            case .variable(let i): nodes.append(Node(kind: .variable(i)))
            case .placeholder: nodes.append(Node(kind: .placeholder))
            case .number(let text):
                appendConstant(leaf, value: Evaluator.value(ofLiteral: text))
            case .constant(let c): appendConstant(leaf, value: c.value)
            case .rand: appendConstant(leaf, value: 0)
            }
        case .unary(let op, let a):
            nodes.append(Node(kind: .unary(op)))
            append(a)
        case .binary(let op, let a, let b):
            let i = nodes.count
            nodes.append(Node(kind: .binary(op)))
            append(a)
            nodes[i].second = Int32(nodes.count)
            append(b)
        }
    }

    private mutating func appendConstant(_ leaf: Leaf, value: Double) {
        nodes.append(Node(kind: .constant, value: value, leaf: Int32(leaves.count)))
        leaves.append(leaf)
    }

    /// The leaf of constant node `node`.
    func leaf(of node: Node) -> Leaf {
        node.leaf >= 0
            ? leaves[Int(node.leaf)] : ExpressionGenerator.defaultPrefactors[Int(-node.leaf - 1)]
    }

    /// The tree as an ``Expression``.
    var expression: Expression {
        var i = start
        func build() -> Expression {
            let node = nodes[i]
            i += 1
            switch node.kind {
            case .variable(let v): return .leaf(.variable(v))
            case .constant: return .leaf(leaf(of: node))
            case .placeholder: return .leaf(.placeholder)
            case .unary(let op): return .unary(op, build())
            case .binary(let op):
                let left = build()
                return .binary(op, left, build())
            }
        }
        return build()
    }

    /// The number of unary operators.
    var unaryOperatorCount: Int {
        var n = 0
        for i in start..<nodes.count { if case .unary = nodes[i].kind { n += 1 } }
        return n
    }

    /// The number of binary operators.
    var binaryOperatorCount: Int {
        var n = 0
        for i in start..<nodes.count { if case .binary = nodes[i].kind { n += 1 } }
        return n
    }

    /// Whether the skeleton is the tree with every constant written `CONSTANT`: every constant
    /// is a float literal, and none sits directly under a unary operator (the reference's
    /// `function_to_skeleton` would drop that operator). Always so for generated trees.
    var hasSimpleSkeleton: Bool {
        for i in start..<nodes.count {
            switch nodes[i].kind {
            case .constant:
                if nodes[i].leaf >= 0 && !leaves[Int(nodes[i].leaf)].isFloatLiteral { return false }
            case .unary:
                if i + 1 < nodes.count, case .constant = nodes[i + 1].kind { return false }
            default: break
            }
        }
        return true
    }

    /// Writes the prefix tokens, separated by `separator`, each between `quote`s; with
    /// `skeleton`, every constant as `CONSTANT` (only for ``hasSimpleSkeleton`` trees).
    func appendTokens(
        to out: ByteBuffer, skeleton: Bool, separator: StaticString, quote: Bool
    ) {
        for i in start..<nodes.count {
            if i > start { out.append(separator) }
            if quote { out.append(UInt8(ascii: "\"")) }
            let node = nodes[i]
            switch node.kind {
            case .variable(let v):
                out.append("x_")
                ByteText.appendInteger(v, to: out)
            case .constant:
                if skeleton {
                    out.append("CONSTANT")
                } else {
                    out.append(leaf(of: node).token)
                }
            case .placeholder: out.append("CONSTANT")
            case .unary(let op): out.append(op.rawValue)
            case .binary(let op): out.append(op.rawValue)
            }
            if quote { out.append(UInt8(ascii: "\"")) }
        }
    }

    /// The skeleton's equation tokens for a ``hasSimpleSkeleton`` tree.
    var simpleSkeletonTokens: [String] {
        var out: [String] = []
        out.reserveCapacity(nodes.count - start)
        for i in start..<nodes.count {
            switch nodes[i].kind {
            case .variable(let v): out.append("x_\(v)")
            case .constant, .placeholder: out.append("CONSTANT")
            case .unary(let op): out.append(op.rawValue)
            case .binary(let op): out.append(op.rawValue)
            }
        }
        return out
    }
}
