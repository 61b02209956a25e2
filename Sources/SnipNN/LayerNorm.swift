import SnipTensor

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
