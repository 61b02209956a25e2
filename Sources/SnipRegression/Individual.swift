/// A formula of the population with its score.
///
/// The search scores `f` through its best linear scaling `offset + factor · f` (closed form), so
/// a formula is judged by its shape, not by constants that a line would fix.
struct Individual: Sendable {
    /// The formula (its constants already refined).
    var formula: Formula
    /// R² of `offset + factor · formula` on the scoring points (−∞ when not finite).
    var r2: Double
    var offset: Double
    var factor: Double
    /// 1 − R² + parsimony · complexity (lower is better; +∞ when not finite).
    var fitness: Double

    /// The formula with its linear scaling written out.
    var scaledFormula: Formula { formula.scaled(offset: offset, factor: factor) }
}

/// A value that crosses into concurrent work whose accesses the caller keeps apart.
struct UnsafeSendableBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
