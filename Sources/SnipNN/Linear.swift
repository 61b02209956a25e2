import Foundation
import SnipTensor

/// A fully connected layer `y = x·Wᵀ + b` with PyTorch's weight layout `[outputs, inputs]`.
public final class Linear: Module {
    /// `[outputs, inputs]`; checkpoint key `weight`.
    public let weight: Parameter
    /// `[outputs]`, or nil; checkpoint key `bias`.
    public let bias: Parameter?

    /// PyTorch's default initialisation: weight and bias uniform in ±1/√inputs.
    public init(inputs: Int, outputs: Int, bias: Bool = true, using generator: inout SeededGenerator) {
        let bound = 1 / Float(inputs).squareRoot()
        weight = Parameter(Tensor.randomUniform([outputs, inputs], low: -bound, high: bound, using: &generator))
        self.bias = bias
            ? Parameter(Tensor.randomUniform([outputs], low: -bound, high: bound, using: &generator)) : nil
    }

    public var ownParameters: [(key: String, parameter: Parameter)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Applies the layer to `[..., inputs]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.linear(x, weight: weight.value, bias: bias?.value)
    }
}

/// Layer normalisation over the last axis with a learned scale and shift.
public final class LayerNorm: Module {
    /// Scale, ones at start; key `weight`.
    public let weight: Parameter
    /// Shift, zeros at start; key `bias`.
    public let bias: Parameter
    /// Added to the variance.
    public let epsilon: Float

    public init(width: Int, epsilon: Float = 1e-5) {
        weight = Parameter(Tensor.ones([width]))
        bias = Parameter(Tensor.zeros([width]))
        self.epsilon = epsilon
    }

    public var ownParameters: [(key: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight.value, bias: bias.value, epsilon: epsilon)
    }
}

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
