import SnipTensor

/// A float64 vector (`shape == [n]`) or matrix (`shape == [rows, columns]`), row-major.
public struct NDArray: Sendable, Equatable {
    /// `[n]` or `[rows, columns]`.
    public var shape: [Int]
    /// The elements, row-major.
    public var data: [Double]

    /// The largest number of elements one array may hold (80 MB of float64), so that a typo like
    /// `zeros(1e12)` is an error instead of exhausting memory.
    public static let maxElements = 10_000_000

    public init(shape: [Int], data: [Double]) {
        self.shape = shape
        self.data = data
    }

    /// A vector.
    public init(vector: [Double]) { self.init(shape: [vector.count], data: vector) }

    public var count: Int { data.count }
    public var isVector: Bool { shape.count == 1 }
    public var rows: Int { shape.count == 2 ? shape[0] : 1 }
    public var columns: Int { shape.count == 2 ? shape[1] : shape[0] }

    /// The array as a float32 tensor of the same shape.
    public var tensor: Tensor { Tensor(data.map { Float($0) }, shape: shape) }

    /// An array from a float32 tensor of rank 1 or 2.
    public init(tensor: Tensor) {
        self.init(shape: tensor.shape, data: tensor.scalars.map { Double($0) })
    }

    /// Checks that an array of `shape` may be allocated.
    static func checkSize(_ shape: [Int], at range: SourceRange?) throws(Diagnostic) {
        var total = 1
        for d in shape {
            guard d >= 0 else { throw Diagnostic(.value, "negative size \(d)", at: range) }
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maxElements else {
                throw Diagnostic(.limit, "array too large: \(shape.map(String.init).joined(separator: "×")) elements "
                    + "(the limit is \(maxElements))", at: range)
            }
            total = p
        }
    }
}
