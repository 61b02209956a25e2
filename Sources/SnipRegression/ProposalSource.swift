import SnipMath

/// Candidate formulas that seed a search's first population: where a model that writes
/// formulas (SNIP's decoder) plugs into the evolutionary search.
///
/// Numeric constants and `CONSTANT` placeholders in a proposal are refined on the data, so a
/// source may propose skeletons. Proposals that use variables the data lacks are dropped.
public protocol ProposalSource: Sendable {
    /// Up to `count` candidate formulas for `data`, deterministic for `seed`.
    func proposals(for data: RegressionData, count: Int, seed: UInt64) throws -> [Expression]
}

/// A fixed list of proposals (tests, user hints such as a known law's shape).
public struct FixedProposals: ProposalSource {
    /// The proposals, in order.
    public var expressions: [Expression]

    /// A source that always proposes `expressions`.
    public init(_ expressions: [Expression]) { self.expressions = expressions }

    /// The first `count` expressions.
    public func proposals(for data: RegressionData, count: Int, seed: UInt64) -> [Expression] {
        Array(expressions.prefix(count))
    }
}
