import SnipNN
import SnipTensor

/// What one optimisation step did.
public struct StepOutcome: Sendable {
    /// The loss before the update (NaN or infinite when the step was skipped for it).
    public var loss: Double
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
    optimizationStep(parameters: parameters, optimizer: optimizer, clipNorm: clipNorm, synchronize: { $0 }, loss: loss)
}

/// One optimisation step (as above) of one process of a group: `synchronize` runs after back-propagation (also when the loss is not finite, so that every
/// process of a data-parallel group takes part): it receives whether this process's loss was
/// finite, may replace the gradients by the group's, and returns whether every process's loss
/// was finite. Clipping and the NaN rule then see the gradients it left.
public func optimizationStep(
    parameters: [Parameter], optimizer: Adam, clipNorm: Double, synchronize: (Bool) throws -> Bool,
    loss: () throws -> Tensor
) rethrows -> StepOutcome {
    for p in parameters { p.value.zeroGrad() }
    let learningRate = optimizer.learningRate
    let value: Double
    do {
        let l = try loss()
        value = Double(l.item)
        if value.isFinite { l.backward() }
    }
    guard try synchronize(value.isFinite) else {
        for p in parameters { p.value.zeroGrad() }
        return StepOutcome(loss: value, gradientNorm: .nan, learningRate: learningRate, skipped: true)
    }
    let norm = clipNorm > 0 ? clipGradientNorm(parameters, maxNorm: clipNorm) : clipGradientNorm(parameters, maxNorm: .infinity)
    guard norm.isFinite else {
        for p in parameters { p.value.zeroGrad() }
        return StepOutcome(loss: value, gradientNorm: norm, learningRate: learningRate, skipped: true)
    }
    optimizer.step()
    return StepOutcome(loss: value, gradientNorm: norm, learningRate: learningRate, skipped: false)
}
