/// Why a prefix token list is not a valid expression.
public enum ExpressionParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The token list is empty.
    case empty
    /// The tokens ended while an operator still needed operands.
    case unexpectedEnd
    /// A token at `position` (0-based) is neither an operator nor a leaf.
    case unknownToken(String, position: Int)
    /// A complete expression ended at `position`, but more tokens follow.
    case trailingTokens(position: Int)
    /// The tree is more than `limit` levels deep at the token at `position` (0-based); see
    /// ``Expression/maxDepth``.
    case tooDeep(limit: Int, position: Int)

    /// A one-line description of the problem.
    public var description: String {
        switch self {
        case .empty: return "empty expression"
        case .unexpectedEnd: return "expression ends before all operands are given"
        case .unknownToken(let t, let p): return "unknown token '\(t)' at position \(p)"
        case .trailingTokens(let p):
            return "extra tokens after a complete expression at position \(p)"
        case .tooDeep(let limit, let p):
            return "the tree is more than \(limit) levels deep (at token \(p)); snip reads trees up to \(limit) levels"
        }
    }
}
