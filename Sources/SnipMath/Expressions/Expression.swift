/// A leaf of an expression tree.
public enum Leaf: Hashable, Sendable {
    /// The input variable `x_i` (column `i` of the points).
    case variable(Int)
    /// A numeric literal, kept as its exact text (`"-2.5"`, `"3"`, `"0.47100000000000003"`).
    ///
    /// The reference keeps constants as Python strings, so the text, not the parsed value, is
    /// what prefixes print and what equality compares. Use ``Leaf/number(_:)`` helpers such as
    /// ``Leaf/float(_:)`` to build one from a `Double`.
    case number(String)
    /// A named constant (`e`, `pi`, `euler_gamma`).
    case constant(MathConstant)
    /// The `rand` leaf (evaluates to 0, the reference's deterministic evaluation).
    case rand
    /// The `CONSTANT` placeholder of skeletons.
    case placeholder

    /// A float literal leaf written like Python's `str(float)` (`0.1`, `1e-05`, `-90.1`).
    public static func float(_ value: Double) -> Leaf { .number(PythonFloat.repr(value)) }

    /// An integer literal leaf (`3`, `-10`).
    public static func integer(_ value: Int) -> Leaf { .number(String(value)) }

    /// The prefix token of this leaf.
    public var token: String {
        switch self {
        case .variable(let i): return "x_\(i)"
        case .number(let text): return text
        case .constant(let c): return c.rawValue
        case .rand: return "rand"
        case .placeholder: return "CONSTANT"
        }
    }

    /// Whether this is a numeric literal that the reference treats as an integer (`-?[0-9]+`).
    public var isIntegerLiteral: Bool {
        guard case .number(let text) = self else { return false }
        return PythonFloat.isIntegerLiteral(text)
    }

    /// Whether this is a numeric literal that the reference treats as a float constant.
    public var isFloatLiteral: Bool {
        guard case .number(let text) = self else { return false }
        return !PythonFloat.isIntegerLiteral(text)
    }
}

/// A symbolic expression tree in the reference grammar (operators of ``UnaryOperator`` and
/// ``BinaryOperator``; leaves of ``Leaf``).
///
/// Two expressions are equal when they have the same shape and the same leaf texts, that is when
/// their ``prefix`` strings are equal.
public indirect enum Expression: Hashable, Sendable {
    /// A leaf.
    case leaf(Leaf)
    /// A unary operator applied to its argument.
    case unary(UnaryOperator, Expression)
    /// A binary operator applied to its left and right operands.
    case binary(BinaryOperator, Expression, Expression)

    /// The variable `x_i`.
    public static func variable(_ index: Int) -> Expression { .leaf(.variable(index)) }

    /// A float literal written like Python's `str(float)`.
    public static func float(_ value: Double) -> Expression { .leaf(.float(value)) }

    /// The number of nodes (operators and leaves).
    public var nodeCount: Int {
        switch self {
        case .leaf: return 1
        case .unary(_, let a): return 1 + a.nodeCount
        case .binary(_, let a, let b): return 1 + a.nodeCount + b.nodeCount
        }
    }

    /// The number of unary operators.
    public var unaryOperatorCount: Int {
        switch self {
        case .leaf: return 0
        case .unary(_, let a): return 1 + a.unaryOperatorCount
        case .binary(_, let a, let b): return a.unaryOperatorCount + b.unaryOperatorCount
        }
    }

    /// The number of binary operators.
    public var binaryOperatorCount: Int {
        switch self {
        case .leaf: return 0
        case .unary(_, let a): return a.binaryOperatorCount
        case .binary(_, let a, let b): return 1 + a.binaryOperatorCount + b.binaryOperatorCount
        }
    }

    /// One more than the largest variable index used (0 when no variable occurs).
    public var inputDimension: Int {
        switch self {
        case .leaf(.variable(let i)): return i + 1
        case .leaf: return 0
        case .unary(_, let a): return a.inputDimension
        case .binary(_, let a, let b): return Swift.max(a.inputDimension, b.inputDimension)
        }
    }
}
