import SnipMath

/// One formula of a Pareto front: its accuracy and its complexity.
public struct ParetoEntry: Sendable {
    /// The formula.
    public var expression: Expression
    /// R² on the training data.
    public var r2: Double
    /// The number of prefix tokens.
    public var complexity: Int

    /// An entry.
    public init(expression: Expression, r2: Double, complexity: Int) {
        self.expression = expression
        self.r2 = r2
        self.complexity = complexity
    }
}

/// The formulas that no other beats on both accuracy (R²) and complexity (prefix tokens), like
/// PySR's hall of fame: one per complexity, each more accurate than every simpler one.
public struct ParetoFront<Payload> {
    /// One formula of the front.
    public struct Member {
        /// Its complexity.
        public var complexity: Int
        /// Its R².
        public var r2: Double
        /// What the caller keeps with it.
        public var payload: Payload
    }

    /// The members by increasing complexity (and so increasing R²).
    public private(set) var members: [Member] = []

    /// An empty front.
    public init() {}

    /// Offers a candidate; returns whether it joined the front.
    @discardableResult
    public mutating func offer(complexity: Int, r2: Double, _ payload: @autoclosure () -> Payload)
        -> Bool
    {
        guard r2.isFinite else { return false }
        // dominated by a member at most as complex and at least as accurate
        if members.contains(where: { $0.complexity <= complexity && $0.r2 >= r2 }) { return false }
        members.removeAll { $0.complexity >= complexity && $0.r2 <= r2 }
        let i = members.firstIndex { $0.complexity > complexity } ?? members.count
        members.insert(Member(complexity: complexity, r2: r2, payload: payload()), at: i)
        return true
    }
}
