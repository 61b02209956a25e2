/// Why data cannot be used for regression (or a formula cannot be fitted on it).
public enum RegressionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// x has no column.
    case noColumns
    /// More input columns than the vocabulary's variables (x_0 … x_9).
    case tooManyColumns(Int, limit: Int)
    /// A column's length differs from y's.
    case mismatchedLengths(column: Int, count: Int, expected: Int)
    /// x has a different number of rows than y has values.
    case mismatchedRowCount(Int, expected: Int)
    /// A row's length differs from the first row's.
    case raggedRows(row: Int, count: Int, expected: Int)
    /// Fewer points than the search needs.
    case tooFewPoints(Int, minimum: Int)
    /// A value is NaN or infinite.
    case nonFinite(what: String, index: Int)
    /// The formula uses a variable the data does not have.
    case variableOutOfRange(index: Int, dimension: Int)

    /// A one-line description of the problem.
    public var description: String {
        switch self {
        case .noColumns: return "x has no columns"
        case .tooManyColumns(let d, let limit):
            return "x has \(d) columns; at most \(limit) input variables (x_0 … x_\(limit - 1))"
        case .mismatchedLengths(let c, let count, let expected):
            return "x column \(c) has \(count) values but y has \(expected)"
        case .mismatchedRowCount(let n, let expected):
            return "x has \(n) rows but y has \(expected) values"
        case .raggedRows(let r, let count, let expected):
            return "x row \(r) has \(count) values but row 0 has \(expected)"
        case .tooFewPoints(let n, let minimum):
            return "\(n) points; regression needs at least \(minimum)"
        case .nonFinite(let what, let index):
            return "\(what) value \(index) is not finite (NaN or infinite)"
        case .variableOutOfRange(let i, let d):
            return "the formula uses x_\(i) but the data has \(d) input column\(d == 1 ? "" : "s")"
        }
    }
}

/// Checked regression data: input columns and targets of the same length, all finite.
public struct RegressionData: Sendable {
    /// The most input variables (the equation vocabulary has x_0 … x_9).
    public static let maxColumns = 10

    /// The inputs as columns.
    public let points: PointColumns
    /// The targets.
    public let y: [Double]

    /// Data from columns (`columns[i]` holds the values of `x_i`) and targets.
    public init(columns: [[Double]], y: [Double], minimumPoints: Int = 4) throws(RegressionError) {
        guard !columns.isEmpty else { throw .noColumns }
        guard columns.count <= Self.maxColumns else {
            throw .tooManyColumns(columns.count, limit: Self.maxColumns)
        }
        for (c, column) in columns.enumerated() where column.count != y.count {
            throw .mismatchedLengths(column: c, count: column.count, expected: y.count)
        }
        guard y.count >= minimumPoints else { throw .tooFewPoints(y.count, minimum: minimumPoints) }
        for (c, column) in columns.enumerated() {
            if let k = column.firstIndex(where: { !$0.isFinite }) {
                throw .nonFinite(what: "x_\(c)", index: k)
            }
        }
        if let k = y.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(what: "y", index: k) }
        points = PointColumns(columns: columns)
        self.y = y
    }

    /// Data from rows (`rows[k]` is point k) and targets.
    public init(rows: [[Double]], y: [Double], minimumPoints: Int = 4) throws(RegressionError) {
        let d = rows.first?.count ?? 0
        for (k, row) in rows.enumerated() where row.count != d {
            throw .raggedRows(row: k, count: row.count, expected: d)
        }
        let columns = (0..<d).map { c in rows.map { $0[c] } }
        if rows.count != y.count { throw .mismatchedRowCount(rows.count, expected: y.count) }
        try self.init(columns: columns, y: y, minimumPoints: minimumPoints)
    }

    /// The number of points.
    public var count: Int { y.count }
}
