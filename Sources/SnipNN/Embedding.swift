import SnipTensor

/// A lookup table of learned vectors, one row per id.
public final class Embedding: Module {
    /// `[count, width]`; key `weight`.
    public let weight: Parameter
    /// The row that never receives a gradient (and starts at zero), if any.
    public let paddingIndex: Int?

    /// Rows drawn from N(0, std²) (default std = width^-½, as the reference does), padding row 0.
    public init(
        count: Int, width: Int, paddingIndex: Int? = nil, std: Float? = nil,
        using generator: inout SeededGenerator
    ) {
        var table = Tensor.randomNormal(
            [count, width], std: std ?? 1 / Float(width).squareRoot(), using: &generator)
        if let paddingIndex {
            table.withUnsafeMutableBufferPointer { buffer in
                for j in 0..<width { buffer[paddingIndex * width + j] = 0 }
            }
        }
        weight = Parameter(table)
        self.paddingIndex = paddingIndex
    }

    public var ownParameters: [(key: String, parameter: Parameter)] { [("weight", weight)] }

    /// The rows for `ids` laid out as `shape`; the result is `shape + [width]`.
    public func callAsFunction(_ ids: [Int], shape: [Int]) -> Tensor {
        Tensor.embedding(weight.value, ids: ids, shape: shape, paddingIndex: paddingIndex)
    }
}
