import Foundation
import SnipTensor

/// Pre-training's soft-neighbour property loss (`snip pretrain --neighbor-weight`): the model
/// report's k-NN property probe made differentiable (neighbourhood component analysis for
/// regression).
///
/// Each row's standardised property targets (``PropertyTargets``) are predicted by the other
/// rows' targets, weighted by `softmax_j(cos(z_i, z_j) / temperature)` over the batch, and the
/// loss is the squared error of those predictions. The property head of
/// ``PretrainingOptions/propertyWeight`` may read a property from any direction of an
/// embedding; this loss asks the embedding's cosine geometry itself — what a k-NN probe reads —
/// to put functions that behave alike next to each other.
public enum NeighborPropertyLoss {
    /// The softmax temperature on cosine similarities unless told otherwise.
    public static let defaultTemperature = 0.03

    /// The loss of a batch: `embeddings` `[B, L]` (not normalised; the loss compares their
    /// directions), `targets` `[B, 4]` row-major in ``PropertyTargets/properties`` order, each
    /// property's squared error multiplied by its entry of `shares` (nil: all 1), summed and
    /// divided by 4 · B. A batch of one row has no neighbours and scores 0.
    public static func loss(embeddings: Tensor, targets: [Float], temperature: Double, shares: [Double]? = nil) -> Tensor {
        let b = embeddings.shape[0]
        let k = PropertyTargets.properties.count
        precondition(targets.count == b * k, "\(targets.count) property targets for \(b) rows")
        precondition(temperature > 0 && temperature.isFinite, "temperature \(temperature)")
        precondition(shares.map { $0.count == k } ?? true, "\(shares?.count ?? 0) property shares for \(k) properties")
        guard b > 1 else { return embeddings.sum() * 0 }
        let unit = unitRows(embeddings)
        let diagonal = Tensor((0..<(b * b)).map { $0 / b == $0 % b ? 1 : 0 }, shape: [b, b])
        // a row is not its own neighbour: its similarity to itself drops out of the softmax
        let weights = (Tensor.matmul(unit, unit, transposeB: true) * Float(1 / temperature))
            .maskedFill(diagonal, with: -1e9).softmax(axis: 1)  // [B, B]
        let truth = Tensor(targets, shape: [b, k])
        var errors = Tensor.matmul(weights, truth) - truth  // [B, 4]
        if let shares {
            errors = errors * Tensor(shares.map { Float($0.squareRoot()) }, shape: [1, k])
        }
        return (errors * errors).sum() * (1 / Float(k * b))
    }
}
