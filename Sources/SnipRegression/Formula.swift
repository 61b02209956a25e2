import SnipMath

/// A formula as one array of nodes in prefix order: the search's working form of an
/// ``SnipMath/Expression``.
///
/// Mutation and crossover cut and splice ranges of this array (a subtree is a contiguous range in
/// prefix order), and the evaluators walk it without allocating; the numeric constants are the
/// formula's parameters, in the order they appear (``parameters``).
public struct Formula: Hashable, Sendable {
    /// One node.
    public enum Node: Hashable, Sendable {
        /// The input variable `x_i`.
        case variable(Int)
        /// A numeric constant: a parameter that constant fitting refines.
        case constant(Double)
        /// A named constant (`pi`, `e`): fixed, never refined.
        case named(MathConstant)
        /// A unary operator; its argument follows.
        case unary(UnaryOperator)
        /// A binary operator; its left operand follows, then its right one.
        case binary(BinaryOperator)

        /// The number of operands (0 for a leaf).
        @inline(__always)
        public var arity: Int {
            switch self {
            case .variable, .constant, .named: return 0
            case .unary: return 1
            case .binary: return 2
            }
        }
    }

    /// The nodes in prefix order.
    public var nodes: [Node]

    /// A formula from prefix-ordered nodes (the caller keeps them a well-formed tree).
    public init(nodes: [Node]) { self.nodes = nodes }

    /// The complexity: the number of prefix tokens (nodes).
    public var complexity: Int { nodes.count }

    /// One past the last node of the subtree that starts at `index`.
    public func subtreeEnd(_ index: Int) -> Int {
        var open = 1
        var i = index
        while open > 0 {
            open += nodes[i].arity - 1
            i += 1
        }
        return i
    }

    /// The formula with the subtree at `index` replaced by `subtree` (itself a whole tree).
    public func replacingSubtree(at index: Int, with subtree: ArraySlice<Node>) -> Formula {
        var result = Array(nodes[..<index])
        result += subtree
        result += nodes[subtreeEnd(index)...]
        return Formula(nodes: result)
    }

    /// The depth of the tree (a leaf alone has depth 1).
    public var depth: Int {
        var stack: [Int] = []  // depths still owed children, in reverse prefix order
        var deepest = 0
        for i in nodes.indices.reversed() {
            switch nodes[i].arity {
            case 0: stack.append(1)
            case 1: stack[stack.count - 1] += 1
            default:
                let a = stack.removeLast()
                let b = stack.removeLast()
                stack.append(Swift.max(a, b) + 1)
            }
            deepest = Swift.max(deepest, stack.last!)
        }
        return deepest
    }

    /// Whether the nodes form exactly one tree.
    public var isWellFormed: Bool {
        var open = 1
        for (i, node) in nodes.enumerated() {
            open += node.arity - 1
            if open == 0 { return i == nodes.count - 1 }
        }
        return false
    }

    /// One more than the largest variable index used (0 when none is).
    public var inputDimension: Int {
        var d = 0
        for case .variable(let i) in nodes { d = Swift.max(d, i + 1) }
        return d
    }

    /// The values of the numeric constants, in prefix order.
    public var parameters: [Double] {
        get { nodes.compactMap { if case .constant(let c) = $0 { c } else { nil } } }
        set {
            var k = 0
            for i in nodes.indices {
                if case .constant = nodes[i] {
                    nodes[i] = .constant(newValue[k])
                    k += 1
                }
            }
            precondition(k == newValue.count, "\(newValue.count) values for \(k) parameters")
        }
    }

    /// The number of numeric constants.
    public var parameterCount: Int {
        var n = 0
        for case .constant in nodes { n += 1 }
        return n
    }
}

/// Why an expression cannot become a ``Formula``.
public enum FormulaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The expression holds the `rand` leaf, which has no fixed value.
    case randomLeaf

    /// A one-line description of the problem.
    public var description: String {
        switch self {
        case .randomLeaf: return "the expression holds 'rand', which has no value to fit"
        }
    }
}

extension Formula {
    /// The working form of `expression`: every numeric literal becomes a parameter and every
    /// skeleton `CONSTANT` a parameter starting at 1 (so a decoder's skeletons can be fitted).
    public init(_ expression: Expression) throws(FormulaError) {
        var nodes: [Node] = []
        nodes.reserveCapacity(expression.nodeCount)
        try Self.append(expression, to: &nodes)
        self.init(nodes: nodes)
    }

    private static func append(_ e: Expression, to nodes: inout [Node]) throws(FormulaError) {
        switch e {
        case .leaf(let leaf):
            switch leaf {
            case .variable(let i): nodes.append(.variable(i))
            case .number(let text): nodes.append(.constant(Double(text) ?? .nan))
            case .constant(let c): nodes.append(.named(c))
            case .placeholder: nodes.append(.constant(1))
            case .rand: throw .randomLeaf
            }
        case .unary(let op, let a):
            nodes.append(.unary(op))
            try append(a, to: &nodes)
        case .binary(let op, let a, let b):
            nodes.append(.binary(op))
            try append(a, to: &nodes)
            try append(b, to: &nodes)
        }
    }

    /// The formula of a comma-separated prefix string (`add,mul,2.5,pow2,x_0,sin,x_0`).
    public init(prefix: String) throws {
        try self.init(Expression(prefix: prefix))
    }

    /// The formula as an ``SnipMath/Expression`` (constants written like Python's `str(float)`).
    public var expression: Expression {
        var i = 0
        func build() -> Expression {
            let node = nodes[i]
            i += 1
            switch node {
            case .variable(let v): return .variable(v)
            case .constant(let c): return .float(c)
            case .named(let c): return .leaf(.constant(c))
            case .unary(let op): return .unary(op, build())
            case .binary(let op):
                let left = build()
                return .binary(op, left, build())
            }
        }
        return build()
    }

    /// `a + b · self` (the linear scaling the search fits around every candidate).
    public func scaled(offset a: Double, factor b: Double) -> Formula {
        Formula(nodes: [.binary(.add), .constant(a), .binary(.mul), .constant(b)] + nodes)
    }
}
