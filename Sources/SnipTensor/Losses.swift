// Losses as free functions with labelled arguments.

/// Mean cross-entropy of `logits` ([N, C]) against integer class `targets` (N of them), fused
/// with the log-softmax; the gradient is (softmax − one-hot) / N.
public func crossEntropy(logits: Tensor, targets: [Int]) -> Tensor {
    fusedCrossEntropy(logits: logits, targets: targets, ignoring: nil)
}

/// Mean squared error between `prediction` and `target` (same shape).
public func meanSquaredError(prediction: Tensor, target: Tensor) -> Tensor {
    precondition(
        prediction.shape == target.shape,
        "meanSquaredError: \(describe(prediction.shape)) vs \(describe(target.shape))")
    let difference = prediction - target
    return (difference * difference).mean()
}

/// Mean cross-entropy of `logits` ([N, C]) over the rows whose target is not `ignored` (padding
/// of token sequences), fused with the log-softmax; ignored rows get no gradient. With every
/// row ignored the loss is 0.
public func crossEntropy(logits: Tensor, targets: [Int], ignoring ignored: Int) -> Tensor {
    fusedCrossEntropy(logits: logits, targets: targets, ignoring: ignored)
}

/// Both cross-entropies: the mean over the rows whose target is not `ignored` (all rows when
/// nil), gradient (softmax − one-hot) / kept rows, zero for ignored rows.
private func fusedCrossEntropy(logits: Tensor, targets: [Int], ignoring ignored: Int?) -> Tensor {
    precondition(logits.rank == 2, "crossEntropy needs [N, C] logits, got \(describe(logits.shape))")
    let (n, c) = (logits.shape[0], logits.shape[1])
    precondition(targets.count == n, "\(targets.count) targets for \(n) rows of logits")
    precondition(targets.allSatisfy { $0 == ignored || ($0 >= 0 && $0 < c) }, "a target is outside 0..<\(c)")
    let kept = targets.reduce(0) { $0 + ($1 == ignored ? 0 : 1) }
    let logProbabilities = withoutGrad { logits.logSoftmax(axis: 1) }
    var total: Double = 0
    for (row, target) in targets.enumerated() where target != ignored {
        total -= Double(logProbabilities.storage.pointer[row * c + target])
    }
    let loss = Tensor(scalar: Float(total / Double(Swift.max(kept, 1))))
    return loss.recording([logits]) { g in
        let scale = g.item / Float(Swift.max(kept, 1))
        var dx = logProbabilities.exp()
        dx.withUnsafeMutableBufferPointer { d in
            for (row, target) in targets.enumerated() {
                if target == ignored {
                    for j in 0..<c { d[row * c + j] = 0 }
                } else {
                    d[row * c + target] -= 1
                    for j in 0..<c { d[row * c + j] *= scale }
                }
            }
        }
        return [dx]
    }
}
