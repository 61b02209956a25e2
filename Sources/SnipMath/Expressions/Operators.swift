/// A unary operator of the reference expression grammar (prefix token = raw value).
public enum UnaryOperator: String, CaseIterable, Hashable, Sendable {
    /// Absolute value.
    case abs
    /// Reciprocal `1 / x`; a zero argument gives NaN.
    case inv
    /// Square root; a negative argument gives NaN.
    case sqrt
    /// Natural logarithm; an argument `<= 0` gives NaN.
    case log
    /// Exponential.
    case exp
    /// Sine.
    case sin
    /// Arc sine.
    case arcsin
    /// Cosine.
    case cos
    /// Arc cosine.
    case arccos
    /// Tangent.
    case tan
    /// Arc tangent.
    case arctan
    /// Square, printed in infix as `(x)**2`.
    case pow2
    /// Cube, printed in infix as `(x)**3`.
    case pow3
}

/// A binary operator of the reference expression grammar (prefix token = raw value).
public enum BinaryOperator: String, CaseIterable, Hashable, Sendable {
    /// Addition.
    case add
    /// Subtraction.
    case sub
    /// Multiplication.
    case mul
    /// Division; a zero denominator gives NaN.
    case div
    /// Power (`numpy.power`).
    case pow
}

/// A named mathematical constant leaf (`e`, `pi`, `euler_gamma`), evaluated as numpy's value.
public enum MathConstant: String, CaseIterable, Hashable, Sendable {
    /// Euler's number, `numpy.e`.
    case e
    /// π, `numpy.pi`.
    case pi
    /// The Euler–Mascheroni constant, `numpy.euler_gamma`.
    case eulerGamma = "euler_gamma"

    /// The float64 value numpy uses for this constant.
    public var value: Double {
        switch self {
        case .e: return 2.718281828459045
        case .pi: return 3.141592653589793
        case .eulerGamma: return 0.5772156649015329
        }
    }
}
