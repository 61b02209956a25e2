import SnipTensor

/// A float64 vector (`shape == [n]`) or matrix (`shape == [rows, columns]`), row-major.
public struct NDArray: Sendable, Equatable {
    /// `[n]` or `[rows, columns]`.
    public var shape: [Int]
    /// The elements, row-major.
    public var data: [Double]
    /// Whether the elements are truth values (0 or 1) made by a comparison or `isnan`: such a
    /// mask selects elements when it indexes (`v[v > 6]`), as in numpy and Julia, instead of
    /// being read as positions. Arithmetic on a mask gives plain numbers.
    public var isMask = false

    /// The largest number of elements one array may hold (80 MB of float64), so that a typo like
    /// `zeros(1e12)` is an error instead of exhausting memory.
    public static let maxElements = 10_000_000

    public init(shape: [Int], data: [Double], isMask: Bool = false) {
        self.shape = shape
        self.data = data
        self.isMask = isMask
    }

    /// Equal shapes and elements (whether either is a mask does not matter).
    public static func == (a: NDArray, b: NDArray) -> Bool { a.shape == b.shape && a.data == b.data }

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
