import Foundation

/// The learning rate as a function of the number of updates done so far.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// The same rate throughout.
    case constant(Double)
    /// The reference's `adam_inverse_sqrt`: linear warm-up from `initial` to `peak` over
    /// `warmup` updates, then `peak · (warmup / n)^exponent`.
    case inverseSquareRoot(peak: Double, warmup: Int, initial: Double = 1e-7, exponent: Double = 0.5)
    /// `base` until `from` updates are done, then a linear fall from `base`'s rate there to 0
    /// over `steps` updates (the update after `from + k` earlier ones gets `(steps − k) / steps`
    /// of it), and 0 after: an annealing phase at the end of a run.
    indirect case linearCooldown(base: LearningRateSchedule, from: Int, steps: Int)
    /// `base` as if `by` updates had been done before this run's first, ramped up linearly over
    /// this run's first `ramp` updates (the update after `k` earlier ones gets
    /// `min(1, (k + 1) / ramp)` of `base`'s rate after `by + k`): a run that continues an
    /// earlier one's weights with a fresh optimiser picks the rate up where that run left it.
    indirect case shifted(base: LearningRateSchedule, by: Int, ramp: Int)

    /// The reference's pre-training schedule: warm-up over 10,000 updates from 1e-7.
    public static func reference(peak: Double) -> LearningRateSchedule {
        .inverseSquareRoot(peak: peak, warmup: 10_000)
    }

    /// The rate for the update that follows `updates` earlier ones.
    public func rate(after updates: Int) -> Double {
        switch self {
        case .constant(let rate):
            return rate
        case .inverseSquareRoot(let peak, let warmup, let initial, let exponent):
            if updates < warmup {
                return initial + Double(updates) * (peak - initial) / Double(warmup)
            }
            return peak * pow(Double(warmup), exponent) * pow(Double(updates), -exponent)
        case .linearCooldown(let base, let from, let steps):
            guard updates >= from else { return base.rate(after: updates) }
            let left = max(0, steps - (updates - from))
            return steps > 0 ? base.rate(after: from) * Double(left) / Double(steps) : 0
        case .shifted(let base, let by, let ramp):
            return base.rate(after: by + updates) * min(1, Double(updates + 1) / Double(max(ramp, 1)))
        }
    }
}
