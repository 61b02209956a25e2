import SnipNN
import SnipTensor

/// The property regressor on a latent vector: Linear(L → 128), ReLU, Linear(128 → 1)
/// (the reference's `regressor`, keys `fc1`, `fc2`).
public final class PropertyHead: Module {
    public let hidden: Linear
    public let output: Linear

    public init(latent: Int, hidden width: Int = 128, using generator: inout SeededGenerator) {
        hidden = Linear(inputs: latent, outputs: width, using: &generator)
        output = Linear(inputs: width, outputs: 1, using: &generator)
    }

    public var children: [(key: String, module: any Module)] { [("fc1", hidden), ("fc2", output)] }

    /// `[B, L]` → `[B, 1]`
    public func callAsFunction(_ latent: Tensor) -> Tensor { output(hidden(latent).relu()) }
}
