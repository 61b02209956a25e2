extension Sample {
    /// The sample with its points in ascending order of their inputs
    /// (``sortedPointOrder(_:)``), each y travelling with its x.
    ///
    /// The generator draws points in random order, and the numeric encoder adds a learned
    /// embedding per position; with sorted 1-D points a position means "the i-th smallest x",
    /// so neighbouring positions are neighbouring points of the graph.
    public func sortedByInputs() -> Sample {
        guard x.count == y.count, x.count > 1 else { return self }
        var sorted = self
        (sorted.x, sorted.y) = Self.sortedPoints(x: x, y: y)
        return sorted
    }

    /// The points (`x`, `y`) in ascending order of their inputs (``sortedPointOrder(_:)``),
    /// each y travelling with its x; `y` must have one value per row of `x`.
    public static func sortedPoints(x: [[Double]], y: [Double]) -> (x: [[Double]], y: [Double]) {
        precondition(x.count == y.count, "one y per input row")
        let order = sortedPointOrder(x)
        return (order.map { x[$0] }, order.map { y[$0] })
    }

    /// The order that sorts input rows ascending, compared variable by variable (x_0 first);
    /// NaN inputs go last, and equal rows keep their order.
    public static func sortedPointOrder(_ x: [[Double]]) -> [Int] {
        x.indices.sorted { a, b in
            for (u, v) in zip(x[a], x[b]) where !(u == v || (u.isNaN && v.isNaN)) {
                if u.isNaN || v.isNaN { return v.isNaN }
                return u < v
            }
            return a < b
        }
    }
}
