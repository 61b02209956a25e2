// Binary arithmetic with NumPy broadcasting, and scalar forms.

extension Tensor {
    /// Elementwise sum, broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, +).recording([a, b]) { g in
            [unbroadcast(g, to: a.shape), unbroadcast(g, to: b.shape)]
        }
    }

    /// Elementwise difference, broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, -).recording([a, b]) { g in
            [unbroadcast(g, to: a.shape), b.node == nil ? nil : -unbroadcast(g, to: b.shape)]
        }
    }

    /// Elementwise product, broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, *).recording([a, b]) { g in
            [
                a.node == nil ? nil : unbroadcast(broadcasting(g, b, *), to: a.shape),
                b.node == nil ? nil : unbroadcast(broadcasting(g, a, *), to: b.shape),
            ]
        }
    }

    /// Elementwise quotient, broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, /).recording([a, b]) { g in
            let ga = broadcasting(g, b, /)
            return [
                a.node == nil ? nil : unbroadcast(ga, to: a.shape),
                b.node == nil
                    ? nil : unbroadcast(broadcasting(ga, broadcasting(a, b, /), { -$0 * $1 }), to: b.shape),
            ]
        }
    }

    /// Adds a constant.
    public static func + (a: Tensor, s: Float) -> Tensor {
        a.map { $0 + s }.recording([a]) { g in [g] }
    }
    /// Adds a constant.
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    /// Subtracts a constant.
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    /// Subtracts from a constant.
    public static func - (s: Float, a: Tensor) -> Tensor {
        a.map { s - $0 }.recording([a]) { g in [-g] }
    }
    /// Multiplies by a constant.
    public static func * (a: Tensor, s: Float) -> Tensor {
        a.map { $0 * s }.recording([a]) { g in [g * s] }
    }
    /// Multiplies by a constant.
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    /// Divides by a constant.
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    /// Divides a constant.
    public static func / (s: Float, a: Tensor) -> Tensor {
        let y = a.map { s / $0 }
        return y.recording([a]) { g in [broadcasting(g, broadcasting(y, a, /), { -$0 * $1 })] }
    }

    /// Adds `other` into this tensor in place (same shape); no autodiff.
    public mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "\(describe(shape)) += \(describe(other.shape))")
        let source = UnsafeSendable(other.storage.pointer)
        withUnsafeMutableBufferPointer { buffer in
            let target = UnsafeSendable(buffer.baseAddress!)
            parallelChunks(buffer.count) { r in
                for i in r { target.value[i] += source.value[i] }
            }
        }
    }

    /// Multiplies every element by `s` in place; no autodiff.
    public mutating func scaleInPlace(by s: Float) {
        withUnsafeMutableBufferPointer { buffer in
            for i in buffer.indices { buffer[i] *= s }
        }
    }
}
