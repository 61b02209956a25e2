import SnipTensor

/// The position-wise feed-forward block: Linear(D → hidden), ReLU, [Linear(hidden → hidden),
/// ReLU]…, Linear(hidden → D) (the reference's `lin1`, `midlin.i`, `lin2`).
public final class FeedForward: Module {
    /// Key `lin1`.
    public let expand: Linear
    /// Keys `midlin.0`, `midlin.1`, … (none with the default single hidden layer).
    public let middle: [Linear]
    /// Key `lin2`.
    public let contract: Linear

    /// `hiddenLayers` counts the hidden activations (the reference's `n_enc_hidden_layers`).
    public init(width: Int, hidden: Int, hiddenLayers: Int = 1, using generator: inout SeededGenerator) {
        expand = Linear(inputs: width, outputs: hidden, using: &generator)
        middle = (1..<max(hiddenLayers, 1)).map { _ in Linear(inputs: hidden, outputs: hidden, using: &generator) }
        contract = Linear(inputs: hidden, outputs: width, using: &generator)
    }

    public var children: [(key: String, module: any Module)] {
        [("lin1", expand)] + middle.enumerated().map { ("midlin.\($0.offset)", $0.element) } + [("lin2", contract)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = expand(x, thenReLU: true)
        for layer in middle { h = layer(h, thenReLU: true) }
        return contract(h)
    }
}
