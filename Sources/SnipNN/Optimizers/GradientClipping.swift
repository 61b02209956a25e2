import Foundation
import SnipTensor

/// Scales all gradients down so that their joint 2-norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`, with its 1e-6 guard), and returns the norm before
/// clipping (infinite or NaN when a gradient is).
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Double) -> Double {
    var total = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        g.withUnsafeBufferPointer { b in
            var s = 0.0
            for v in b { s += Double(v) * Double(v) }
            total += s
        }
    }
    let norm = total.squareRoot()
    let coefficient = maxNorm / (norm + 1e-6)
    guard coefficient < 1, norm.isFinite else { return norm }
    for p in parameters where p.grad != nil {
        p.scaleGradient(by: Float(coefficient))
    }
    return norm
}

extension Parameter {
    /// Multiplies the accumulated gradient in place.
    public func scaleGradient(by factor: Float) {
        value.scaleGradient(by: factor)
    }

    /// Whether every element of the gradient is finite (true without a gradient).
    public var gradientIsFinite: Bool {
        guard let g = grad else { return true }
        return g.withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) }
    }
}
