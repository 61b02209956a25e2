import SnipNN
import SnipTensor

/// What one optimisation step did.
public struct StepOutcome: Sendable {
    /// The loss before the update (NaN or infinite when the step was skipped for it).
    public let loss: Double
    /// The gradients' joint norm before clipping.
    public let gradientNorm: Double
    /// The learning rate used.
    public let learningRate: Double
    /// True when the loss or a gradient was not finite: no update was made.
    public let skipped: Bool
}

/// Zeroes the gradients, computes `loss()`, back-propagates, clips the gradient norm to
/// `clipNorm` (0: no clipping) and updates with `optimizer`, unless the loss or the gradients
/// are NaN or infinite, in which case nothing changes and the outcome says so. The loss graph
/// is freed before the update, so parameters are updated in place.
public func optimizationStep(
    parameters: [Parameter], optimizer: Adam, clipNorm: Double, loss: () -> Tensor
) -> StepOutcome {
    for p in parameters { p.value.zeroGrad() }
    let learningRate = optimizer.learningRate
    let value: Double
    do {
        let l = loss()
        value = Double(l.item)
        guard value.isFinite else {
            return StepOutcome(loss: value, gradientNorm: .nan, learningRate: learningRate, skipped: true)
        }
        l.backward()
    }
    let norm = clipNorm > 0 ? clipGradientNorm(parameters, maxNorm: clipNorm) : clipGradientNorm(parameters, maxNorm: .infinity)
    guard norm.isFinite else {
        for p in parameters { p.value.zeroGrad() }
        return StepOutcome(loss: value, gradientNorm: norm, learningRate: learningRate, skipped: true)
    }
    optimizer.step()
    return StepOutcome(loss: value, gradientNorm: norm, learningRate: learningRate, skipped: false)
}
