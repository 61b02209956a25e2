import SnipNN
import SnipTensor

/// The property regressor on a latent vector: Linear(L → 128), ReLU, Linear(128 → 1)
/// (the reference's `regressor`, keys `fc1`, `fc2`); with `outputs` > 1 it predicts several
/// properties at once (pre-training's auxiliary head, ``PropertyTargets``).
public final class PropertyHead: Module {
    public let hidden: Linear
    public let output: Linear

    public init(latent: Int, hidden width: Int = 128, outputs: Int = 1, using generator: inout SeededGenerator) {
        hidden = Linear(inputs: latent, outputs: width, using: &generator)
        output = Linear(inputs: width, outputs: outputs, using: &generator)
    }

    public var children: [(key: String, module: any Module)] { [("fc1", hidden), ("fc2", output)] }

    /// `[B, L]` → `[B, outputs]`
    public func callAsFunction(_ latent: Tensor) -> Tensor { output(hidden(latent).relu()) }
}
