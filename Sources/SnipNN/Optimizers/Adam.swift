import CSnipKernels
import Foundation
import SnipTensor

/// Adam, in the reference's form by default: bias-corrected step size
/// `lr·√(1−β₂ᵗ)/(1−β₁ᵗ)`, ε added to `√v` (not to the corrected `√v̂`), decoupled weight decay
/// `p −= wd·lr·p`; with `.pytorchAdamW` the update is PyTorch's AdamW (ε added to `√v̂`).
public final class Adam {
    /// How ε and weight decay enter the update.
    public enum Form: String, Codable, Sendable {
        /// The reference's `snip.optim.Adam` (and `AdamInverseSqrtWithWarmup`).
        case reference
        /// `torch.optim.AdamW`.
        case pytorchAdamW
    }

    /// Per-parameter running moments.
    public struct Moments {
        /// Updates this parameter has had (the bias corrections' t).
        public var step: Int
        /// First moment (`exp_avg`).
        public var mean: Tensor
        /// Second moment (`exp_avg_sq`).
        public var squares: Tensor

        public init(step: Int, mean: Tensor, squares: Tensor) {
            self.step = step
            self.mean = mean
            self.squares = squares
        }
    }

    public let parameters: [Parameter]
    public var schedule: LearningRateSchedule
    public let betas: (Double, Double)
    public let epsilon: Double
    public let weightDecay: Double
    public let form: Form
    /// Updates done so far (the schedule's clock; the reference's `num_updates`).
    public private(set) var updates = 0
    /// Moments per parameter, in `parameters` order.
    public private(set) var moments: [Moments]

    public init(
        parameters: [Parameter], schedule: LearningRateSchedule, betas: (Double, Double) = (0.9, 0.999),
        epsilon: Double = 1e-8, weightDecay: Double = 0, form: Form = .reference
    ) {
        self.parameters = parameters
        self.schedule = schedule
        self.betas = betas
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.form = form
        moments = parameters.map { Moments(step: 0, mean: .zeros($0.shape), squares: .zeros($0.shape)) }
    }

    /// The rate the next `step()` uses.
    public var learningRate: Double { schedule.rate(after: updates) }

    /// Applies one update from the parameters' gradients (parameters without one are left
    /// alone, as PyTorch does).
    public func step() {
        let lr = learningRate
        let (beta1, beta2) = betas
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            var m = moments[index]
            moments[index].mean = .zeros([0])  // release our references so the updates are in place
            moments[index].squares = .zeros([0])
            m.step += 1
            let correction1 = 1 - pow(beta1, Double(m.step))
            let correction2 = 1 - pow(beta2, Double(m.step))
            let (b1, b2) = (Float(beta1), Float(beta2))
            let (c1, c2) = (Float(1 - beta1), Float(1 - beta2))
            let eps = Float(epsilon)
            let stepSize: Float
            let denominatorScale: Float
            switch form {
            case .reference:
                stepSize = Float(lr * correction2.squareRoot() / correction1)
                denominatorScale = 1
            case .pytorchAdamW:
                stepSize = Float(lr / correction1)
                denominatorScale = Float(1 / correction2.squareRoot())
            }
            let decay = Float(weightDecay * lr)
            grad.withUnsafeBufferPointer { g in
                m.mean.withUnsafeMutableBufferPointer { mean in
                    m.squares.withUnsafeMutableBufferPointer { squares in
                        parameter.value.withUnsafeMutableBufferPointer { p in
                            let pointers = UnsafeSendable((p.baseAddress!, g.baseAddress!, mean.baseAddress!, squares.baseAddress!))
                            parallelChunks(p.count, cost: 8) { r in
                                let (pp, gp, mp, vp) = pointers.value
                                let o = r.lowerBound
                                snip_adam(pp + o, gp + o, mp + o, vp + o, r.count, b1, b2, c1, c2, eps,
                                          denominatorScale, stepSize, decay)
                            }
                        }
                    }
                }
            }
            moments[index] = m
        }
        updates += 1
    }

    /// Restores moments and the update count saved from `moments`/`updates` (resuming a run).
    public func restore(updates: Int, moments restored: [Moments]) {
        precondition(restored.count == parameters.count, "\(restored.count) moments for \(parameters.count) parameters")
        for (m, p) in zip(restored, parameters) {
            precondition(m.mean.shape == p.shape && m.squares.shape == p.shape, "moments do not fit parameter \(p.shape)")
        }
        self.updates = updates
        moments = restored
    }
}
