import Foundation

/// Which IEEE flags one elementwise operation raises, derived from its inputs and result.
///
/// The reference evaluates under `np.seterr(all='raise')`; rather than reading the hardware
/// status word (which the optimiser does not order), each rule below states when IEEE 754 (x86,
/// tininess detected after rounding) or numpy's kernel sets a flag. Quiet NaN inputs never raise.
extension FloatingPointFlags {
    private static let leastNormal = Double.leastNormalMagnitude

    /// Flags of `a + b` or `a - b` giving `r` (a subnormal sum is always exact: no underflow).
    @inline(__always)
    static func additive(_ a: Double, _ b: Double, _ r: Double) -> FloatingPointFlags {
        if a.isNaN || b.isNaN { return [] }
        if r.isNaN { return .invalid }
        if r.isInfinite && a.isFinite && b.isFinite { return .overflow }
        return []
    }

    /// Flags of `a * b` giving `r`.
    @inline(__always)
    static func product(_ a: Double, _ b: Double, _ r: Double) -> FloatingPointFlags {
        if a.isNaN || b.isNaN { return [] }
        if r.isNaN { return .invalid }
        if r.isInfinite { return a.isFinite && b.isFinite ? .overflow : [] }
        if Swift.abs(r) <= leastNormal && a != 0 && b != 0 && productUnderflows(a, b, r) {
            return .underflow
        }
        return []
    }

    /// Flags of `a / b` giving `r`, for a non-zero `b`.
    @inline(__always)
    static func quotient(_ a: Double, _ b: Double, _ r: Double) -> FloatingPointFlags {
        if a.isNaN || b.isNaN { return [] }
        if r.isNaN { return .invalid }
        if r.isInfinite { return a.isFinite ? .overflow : [] }
        if Swift.abs(r) <= leastNormal && a != 0 && a.isFinite && b.isFinite
            && quotientUnderflows(a, b, r)
        {
            return .underflow
        }
        return []
    }

    /// Flags of C `pow(a, b)` giving `r` (glibc signals underflow for every tiny result).
    @inline(__always)
    static func power(_ a: Double, _ b: Double, _ r: Double) -> FloatingPointFlags {
        if a.isNaN || b.isNaN { return [] }
        if r.isNaN { return .invalid }
        if a == 0 && b < 0 { return .divide }
        if r.isInfinite { return a.isFinite && b.isFinite ? .overflow : [] }
        if Swift.abs(r) < leastNormal && a != 0 && a.isFinite && b.isFinite { return .underflow }
        return []
    }

    /// Flags of numpy's float64 `exp(x)` giving `r` (numpy's AVX512F kernel flags overflow and
    /// underflow by argument range: underflow only when the result is 0).
    @inline(__always)
    static func exponential(_ x: Double, _ r: Double) -> FloatingPointFlags {
        if !x.isFinite { return [] }
        if r.isInfinite { return .overflow }
        if r == 0 { return .underflow }
        return []
    }

    /// Flags of a unary transcendental function `f(x) = r`: invalid when NaN comes from a
    /// non-NaN argument; underflow when `f(x) ≈ x` for a subnormal argument.
    @inline(__always)
    static func transcendental(_ x: Double, _ r: Double, tinyPassesThrough: Bool)
        -> FloatingPointFlags
    {
        if x.isNaN { return [] }
        if r.isNaN { return .invalid }
        if tinyPassesThrough && x != 0 && x.isFinite && Swift.abs(x) < leastNormal {
            return .underflow
        }
        return []
    }

    /// Whether a tiny product is tiny after rounding to 53 bits and inexact.
    private static func productUnderflows(_ a: Double, _ b: Double, _ r: Double) -> Bool {
        let fa = frexp(a)
        let fb = frexp(b)
        let q = fa.0 * fb.0  // in [0.25, 1), a normal double
        let error = fma(fa.0, fb.0, -q)
        let scale = fa.1 + fb.1
        let tinyAfterRounding = frexp(q).1 + scale <= -1022
        if !tinyAfterRounding { return false }
        if r == 0 || error != 0 { return true }
        return Double(sign: .plus, exponent: -scale, significand: r) != q
    }

    /// Whether a tiny quotient is tiny after rounding to 53 bits and inexact.
    private static func quotientUnderflows(_ a: Double, _ b: Double, _ r: Double) -> Bool {
        let fa = frexp(a)
        let fb = frexp(b)
        let q = fa.0 / fb.0  // in (0.5, 2)
        let remainder = fma(q, fb.0, -fa.0)
        let scale = fa.1 - fb.1
        let tinyAfterRounding = frexp(q).1 + scale <= -1022
        if !tinyAfterRounding { return false }
        if r == 0 || remainder != 0 { return true }
        return Double(sign: .plus, exponent: -scale, significand: r) != q
    }
}
