import SnipTensor

/// SNIP's contrastive loss: logits `z_f · z_yᵀ / temperature`, and the mean of the
/// cross-entropies of each row (expression → its points) and each column (points → its
/// expression) against the diagonal. Like the reference, the latents are not L2-normalised
/// unless `normalize` is set.
public func clipLoss(symbolic: Tensor, numeric: Tensor, temperature: Float = 1, normalize: Bool = false) -> Tensor {
    precondition(symbolic.shape == numeric.shape && symbolic.rank == 2, "clipLoss: \(symbolic.shape) vs \(numeric.shape)")
    func unit(_ z: Tensor) -> Tensor { z / (z * z).sum(axis: 1, keepDims: true).sqrt() }
    let f = normalize ? unit(symbolic) : symbolic
    let y = normalize ? unit(numeric) : numeric
    let logits = Tensor.matmul(f, y, transposeB: true) / temperature  // [B, B]
    let labels = Array(0..<symbolic.shape[0])
    return (crossEntropy(logits: logits, targets: labels) + crossEntropy(logits: logits.transposed(), targets: labels)) * 0.5
}
