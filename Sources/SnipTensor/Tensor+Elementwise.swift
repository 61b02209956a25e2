import CSnipKernels
import Foundation

// Unary elementwise ops. Each computes its result and, when gradients are on, records its
// backward right after.

extension Tensor {
    /// Applies `body(input, output, n)` in parallel chunks over the elements.
    @inline(__always)
    func mapChunks(
        cost: Int = 1, _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    ) -> Tensor {
        let result = Tensor.uninitialized(shape)
        let x = UnsafeSendable(storage.pointer)
        let y = UnsafeSendable(result.storage.pointer)
        parallelChunks(count, cost: cost) { range in
            body(x.value + range.lowerBound, y.value + range.lowerBound, range.count)
        }
        return result
    }

    /// Elementwise `transform`, outside autodiff (the result records no gradient).
    @inline(__always)
    public func map(_ transform: (Float) -> Float) -> Tensor {
        mapChunks { x, y, n in
            for i in 0..<n { y[i] = transform(x[i]) }
        }
    }

    /// Elementwise `transform(self, other)` for tensors of the same shape (no broadcasting).
    @inline(__always)
    func zipMap(_ other: Tensor, _ transform: (Float, Float) -> Float) -> Tensor {
        precondition(shape == other.shape, "\(describe(shape)) ≠ \(describe(other.shape))")
        let result = Tensor.uninitialized(shape)
        let a = UnsafeSendable(storage.pointer)
        let b = UnsafeSendable(other.storage.pointer)
        let y = UnsafeSendable(result.storage.pointer)
        parallelChunks(count) { range in
            for i in range { y.value[i] = transform(a.value[i], b.value[i]) }
        }
        return result
    }

    /// `x · scale + shift` elementwise; no autodiff.
    func affine(scale: Float, shift: Float) -> Tensor {
        mapChunks { snip_affine($0, $1, $2, scale, shift) }
    }

    /// -x
    public static prefix func - (x: Tensor) -> Tensor {
        x.affine(scale: -1, shift: 0).recording([x]) { g in [-g] }
    }

    /// e^x
    public func exp() -> Tensor {
        let y = mapChunks(cost: 8) { snip_exp($0, $1, $2) }
        return y.recording([self]) { g in [g * y] }
    }

    /// Natural logarithm (NaN below 0, -inf at 0).
    public func log() -> Tensor {
        let x = self
        return map { Foundation.log($0) }.recording([self]) { g in [g / x] }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let y = map { $0.squareRoot() }
        return y.recording([self]) { g in [g * 0.5 / y] }
    }

    /// |x|; the gradient at 0 is 0.
    public func abs() -> Tensor {
        let x = self
        return map { Swift.abs($0) }.recording([self]) { g in
            [g.zipMap(x) { g, x in x > 0 ? g : (x < 0 ? -g : 0) }]
        }
    }

    /// max(x, 0); the gradient at 0 is 0.
    public func relu() -> Tensor {
        let y = mapChunks { snip_relu($0, $1, $2) }
        return y.recording([self]) { g in
            let dx = Tensor.uninitialized(y.shape)
            let (yp, gp, dp) = (
                UnsafeSendable(y.storage.pointer), UnsafeSendable(g.storage.pointer),
                UnsafeSendable(dx.storage.pointer)
            )
            parallelChunks(y.count) { r in
                snip_relu_backward(yp.value + r.lowerBound, gp.value + r.lowerBound, dp.value + r.lowerBound, r.count)
            }
            return [dx]
        }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let y = mapChunks(cost: 10) { snip_tanh($0, $1, $2) }
        return y.recording([self]) { g in [g.zipMap(y) { g, y in g * (1 - y * y) }] }
    }

    /// Logistic sigmoid 1 / (1 + e^-x).
    public func sigmoid() -> Tensor {
        let y = mapChunks(cost: 10) { snip_sigmoid($0, $1, $2) }
        return y.recording([self]) { g in [g.zipMap(y) { g, y in g * y * (1 - y) }] }
    }

    /// GELU, the exact form x·Φ(x) (PyTorch's default).
    public func gelu() -> Tensor {
        let x = self
        let y = mapChunks(cost: 12) { snip_gelu($0, $1, $2) }
        return y.recording([self]) { g in
            let dx = Tensor.uninitialized(x.shape)
            let (xp, gp, dp) = (
                UnsafeSendable(x.storage.pointer), UnsafeSendable(g.storage.pointer),
                UnsafeSendable(dx.storage.pointer)
            )
            parallelChunks(x.count, cost: 14) { r in
                snip_gelu_backward(
                    xp.value + r.lowerBound, gp.value + r.lowerBound, dp.value + r.lowerBound,
                    r.count)
            }
            return [dx]
        }
    }

    /// x^p for a constant exponent p.
    public func pow(_ p: Float) -> Tensor {
        let x = self
        let y: Tensor
        switch p {
        case 1: y = map { $0 }
        case 2: y = map { $0 * $0 }
        case 3: y = map { $0 * $0 * $0 }
        case 0.5: y = map { $0.squareRoot() }
        case -1: y = map { 1 / $0 }
        default: y = map { Foundation.pow($0, p) }
        }
        return y.recording([self]) { g in
            if p == 2 { return [g * x * 2] }
            return [g * x.pow(p - 1) * p]
        }
    }

    /// Limits every element to [low, high]; the gradient passes where low ≤ x ≤ high.
    public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        let x = self
        let y = map { Swift.min(Swift.max($0, low), high) }
        return y.recording([self]) { g in
            [g.zipMap(x) { g, x in (x >= low && x <= high) ? g : 0 }]
        }
    }
}
