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

    /// Applies the layer and, when `thenReLU`, a ReLU fused into it (`Tensor.linearReLU`).
    public func callAsFunction(_ x: Tensor, thenReLU: Bool) -> Tensor {
        thenReLU ? Tensor.linearReLU(x, weight: weight.value, bias: bias?.value) : self(x)
    }
}
