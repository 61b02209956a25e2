import Foundation

/// The learning rate as a function of the number of updates done so far.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// The same rate throughout.
    case constant(Double)
    /// The reference's `adam_inverse_sqrt`: linear warm-up from `initial` to `peak` over
    /// `warmup` updates, then `peak · (warmup / n)^exponent`.
    case inverseSquareRoot(peak: Double, warmup: Int, initial: Double = 1e-7, exponent: Double = 0.5)

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
        }
    }
}
