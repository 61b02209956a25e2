import CSnipKernels

// Binary arithmetic with NumPy broadcasting, and scalar forms.

extension Tensor {
    /// Elementwise sum, broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        arithmetic(a, b, .add).recording([a, b]) { g in
            [unbroadcast(g, to: a.shape), unbroadcast(g, to: b.shape)]
        }
    }

    /// Elementwise difference, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        arithmetic(a, b, .subtract).recording([a, b]) { g in
            [unbroadcast(g, to: a.shape), b.node == nil ? nil : -unbroadcast(g, to: b.shape)]
        }
    }

    /// Elementwise product, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        arithmetic(a, b, .multiply).recording([a, b]) { g in
            [
                a.node == nil ? nil : unbroadcast(arithmetic(g, b, .multiply), to: a.shape),
                b.node == nil ? nil : unbroadcast(arithmetic(g, a, .multiply), to: b.shape),
            ]
        }
    }

    /// Elementwise quotient, broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        arithmetic(a, b, .divide).recording([a, b]) { g in
            let ga = arithmetic(g, b, .divide)
            return [
                a.node == nil ? nil : unbroadcast(ga, to: a.shape),
                b.node == nil
                    ? nil : unbroadcast(-arithmetic(ga, arithmetic(a, b, .divide), .multiply), to: b.shape),
            ]
        }
    }

    /// Adds a constant.
    public static func + (a: Tensor, s: Float) -> Tensor {
        a.affine(scale: 1, shift: s).recording([a]) { g in [g] }
    }
    /// Adds a constant.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    /// Subtracts a constant.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    /// Subtracts from a constant.
    public static func - (s: Float, a: Tensor) -> Tensor {
        a.affine(scale: -1, shift: s).recording([a]) { g in [-g] }
    }
    /// Multiplies by a constant.
    public static func * (a: Tensor, s: Float) -> Tensor {
        a.affine(scale: s, shift: 0).recording([a]) { g in [g * s] }
    }
    /// Multiplies by a constant.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// Divides by a constant.
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    /// Divides a constant.
    public static func / (s: Float, a: Tensor) -> Tensor {
        let y = a.map { s / $0 }
        return y.recording([a]) { g in [-arithmetic(g, arithmetic(y, a, .divide), .multiply)] }
    }

    /// Adds `other` into this tensor in place (same shape); no autodiff.
    public mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "\(describe(shape)) += \(describe(other.shape))")
        let source = UnsafeSendable(other.storage.pointer)
        withUnsafeMutableBufferPointer { buffer in
            let target = UnsafeSendable(buffer.baseAddress!)
            parallelChunks(buffer.count) { r in
                snip_accumulate(source.value + r.lowerBound, target.value + r.lowerBound, r.count)
            }
        }
    }

    /// Multiplies every element by `s` in place; no autodiff.
    public mutating func scaleInPlace(by s: Float) {
        withUnsafeMutableBufferPointer { buffer in
            snip_affine(buffer.baseAddress!, buffer.baseAddress!, buffer.count, s, 0)
        }
    }
}
