/// Why an expression cannot be evaluated on the given points.
public enum EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The expression uses `x_index`, but the points have only `dimension` columns.
    case variableOutOfRange(index: Int, dimension: Int)
    /// The expression contains a `CONSTANT` placeholder (a skeleton has no value).
    case placeholder
    /// The point rows (or columns) do not all have the same length.
    case raggedPoints

    /// A one-line description of the problem.
    public var description: String {
        switch self {
        case .variableOutOfRange(let i, let d): return "x_\(i) used on \(d)-dimensional points"
        case .placeholder: return "cannot evaluate a CONSTANT placeholder"
        case .raggedPoints: return "points have different dimensions"
        }
    }
}

/// The result of an evaluation under numpy's `seterr(all='raise')` regime.
///
/// `caught` lists, in evaluation order, the exceptions that the reference's `try` blocks turned
/// into all-NaN arrays (so numpy raised, but `val` did not).
public enum RaisingEvaluation: Hashable, Sendable {
    /// The evaluation finished; guarded operators that raised produced all-NaN arrays.
    case values([Double], caught: [FloatingPointException])
    /// An unguarded operator (`add`, `sub`) raised, so the reference's `val` raised too.
    case raised(FloatingPointException, caught: [FloatingPointException])

    /// The values, or `nil` when the evaluation raised.
    public var values: [Double]? {
        if case .values(let v, _) = self { return v }
        return nil
    }

    /// Whether numpy raised anywhere (caught or not).
    public var numpyRaised: Bool {
        switch self {
        case .values(_, let caught): return !caught.isEmpty
        case .raised: return true
        }
    }
}
