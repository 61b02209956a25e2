/// Points as columns in one contiguous block: column `i` (the values of `x_i`) is
/// `values[i * count ..< (i + 1) * count]`.
public struct PointColumns: Sendable {
    /// The values, column after column.
    public private(set) var values: [Double]
    /// The number of columns (input variables).
    public let dimension: Int
    /// The number of points.
    public let count: Int

    /// Points from columns ([d][n]); every column must have the same length.
    public init(columns: [[Double]]) {
        let n = columns.first?.count ?? 0
        precondition(columns.allSatisfy { $0.count == n }, "ragged columns")
        dimension = columns.count
        count = n
        values = columns.flatMap { $0 }
    }

    /// The points with the given indices (in that order).
    public func selecting(_ indices: [Int]) -> PointColumns {
        var columns: [[Double]] = []
        for c in 0..<dimension {
            columns.append(indices.map { values[c * count + $0] })
        }
        return PointColumns(columns: columns, count: indices.count)
    }

    private init(columns: [[Double]], count: Int) {
        dimension = columns.count
        self.count = count
        values = columns.flatMap { $0 }
    }

    /// Column `i`.
    public func column(_ i: Int) -> ArraySlice<Double> { values[i * count..<(i + 1) * count] }

    /// Point `k` as a row.
    public func row(_ k: Int) -> [Double] { (0..<dimension).map { values[$0 * count + k] } }
}
