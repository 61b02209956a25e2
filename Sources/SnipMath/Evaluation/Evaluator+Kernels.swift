import Foundation

/// The evaluator's elementwise loops: one tight loop per operator and operand shape, with the
/// exponent test of ``OrdinaryTest`` folded into the loop that writes the result.
///
/// Each operator's loop is written out (through an `@inline(__always)` helper that takes the
/// operation as a literal closure, which the optimiser inlines), so no element pays for a call
/// through a closure or a switch; loops of plain arithmetic are vectorised. Every element is
/// computed exactly as before: the same libm function or IEEE operation on the same operands,
/// with no contraction, so results are bit-identical.
extension Evaluator {
    /// The elementwise binary operations.
    enum Kernel {
        case add, sub, mul, div, pow
    }

    /// Whether every value of a result is finite with a magnitude of at least 2^-1021 (twice the
    /// smallest normal), tested as the values are written. No operator raises a flag for such a
    /// result (every rule in `FloatingPointFlags+Operations` needs a NaN, infinite, zero or tiny
    /// result), so the per-element flag rules can then be skipped.
    struct OrdinaryTest {
        /// The OR of `m + 2^52` and `m - 2^53` over the magnitudes' bit patterns `m` seen: bit
        /// 63 of the first is set exactly when `m >= 0x7FF0…` (infinite, NaN), of the second
        /// exactly when the biased exponent is 0 or 1 (zero, subnormal, the first binade of
        /// normals).
        var outside: UInt64 = 0

        /// Takes in one value.
        @inline(__always)
        mutating func include(_ value: Double) {
            let magnitude = value.bitPattern & 0x7FFF_FFFF_FFFF_FFFF
            outside |= (magnitude &+ 0x0010_0000_0000_0000) | (magnitude &- 0x0020_0000_0000_0000)
        }

        /// Whether every value seen is finite with a magnitude of at least 2^-1021.
        @inline(__always)
        var isOrdinary: Bool { outside >> 63 == 0 }
    }

    /// `f` over the elements of two operands into `r`; a scalar is read as a constant instead of
    /// being expanded, and two scalars are combined once. Returns whether every result is
    /// ordinary (see ``OrdinaryTest``).
    @inline(__always)
    func binaryLoop(
        _ a: Operand, _ b: Operand, into r: UnsafeMutablePointer<Double>,
        _ f: (Double, Double) -> Double
    ) -> Bool {
        let n = count
        var test = OrdinaryTest()
        switch (a, b) {
        case (.scalar(let u), .scalar(let v)):
            let w = f(u, v)
            r.update(repeating: w, count: n)
            if n > 0 { test.include(w) }
        case (.scalar(let u), _):
            let y = pointer(b)
            for k in 0..<n {
                let w = f(u, y[k])
                r[k] = w
                test.include(w)
            }
        case (_, .scalar(let v)):
            let x = pointer(a)
            for k in 0..<n {
                let w = f(x[k], v)
                r[k] = w
                test.include(w)
            }
        default:
            let x = pointer(a)
            let y = pointer(b)
            for k in 0..<n {
                let w = f(x[k], y[k])
                r[k] = w
                test.include(w)
            }
        }
        return test.isOrdinary
    }

    /// `kernel` over the elements of two operands, into a new slot; also whether every result
    /// is ordinary (see ``OrdinaryTest``).
    func combine(_ a: Operand, _ b: Operand, _ kernel: Kernel) -> (slot: Int, ordinary: Bool) {
        let s = allocate()
        let r = pointer(s)
        switch kernel {
        case .add: return (s, binaryLoop(a, b, into: r) { $0 + $1 })
        case .sub: return (s, binaryLoop(a, b, into: r) { $0 - $1 })
        case .mul: return (s, binaryLoop(a, b, into: r) { $0 * $1 })
        case .div: return (s, binaryLoop(a, b, into: r) { $0 / $1 })
        case .pow: return (s, binaryLoop(a, b, into: r) { Foundation.pow($0, $1) })
        }
    }

    /// `f` over the elements of an operand into `r` (a scalar's value is computed once).
    /// Returns whether every result is ordinary (see ``OrdinaryTest``).
    @inline(__always)
    func unaryLoop(
        _ a: Operand, into r: UnsafeMutablePointer<Double>, _ f: (Double) -> Double
    ) -> Bool {
        let n = count
        var test = OrdinaryTest()
        switch a {
        case .scalar(let x):
            let v = f(x)
            r.update(repeating: v, count: n)
            if n > 0 { test.include(v) }
        default:
            let x = pointer(a)
            for k in 0..<n {
                let v = f(x[k])
                r[k] = v
                test.include(v)
            }
        }
        return test.isOrdinary
    }

    /// `op`'s function over the elements of an operand, into a new slot (the reference's
    /// replacements by NaN are done beforehand, by ``mask(_:_:)``); also whether every result is
    /// ordinary (see ``OrdinaryTest``).
    func map(_ op: UnaryOperator, _ a: Operand) -> (slot: Int, ordinary: Bool) {
        let s = allocate()
        let r = pointer(s)
        switch op {
        case .abs: return (s, unaryLoop(a, into: r) { Swift.abs($0) })
        case .inv: return (s, unaryLoop(a, into: r) { 1 / $0 })
        case .sqrt: return (s, unaryLoop(a, into: r) { $0.squareRoot() })
        case .log: return (s, unaryLoop(a, into: r) { Foundation.log($0) })
        case .exp: return (s, unaryLoop(a, into: r) { Foundation.exp($0) })
        case .sin: return (s, unaryLoop(a, into: r) { Foundation.sin($0) })
        case .arcsin: return (s, unaryLoop(a, into: r) { Foundation.asin($0) })
        case .cos: return (s, unaryLoop(a, into: r) { Foundation.cos($0) })
        case .arccos: return (s, unaryLoop(a, into: r) { Foundation.acos($0) })
        case .tan: return (s, unaryLoop(a, into: r) { Foundation.tan($0) })
        case .arctan: return (s, unaryLoop(a, into: r) { Foundation.atan($0) })
        case .pow2: return (s, unaryLoop(a, into: r) { $0 * $0 })
        case .pow3: return (s, unaryLoop(a, into: r) { Foundation.pow($0, 3) })
        }
    }

    /// Which arguments the reference replaces by NaN before an operator.
    enum MaskRule {
        /// `x == 0` (`div`'s denominator, `inv`).
        case zero
        /// `x <= 0` (`log`).
        case nonPositive
        /// `x < 0` (`sqrt`).
        case negative
    }

    /// Writes NaN where `rule` holds, into the view's column or the owned slot.
    func mask(_ operand: inout Operand, _ rule: MaskRule) {
        switch operand {
        case .column, .slot:
            guard hits(operand, rule) else { return }
            let values = pointer(operand)
            switch rule {
            case .zero: for k in 0..<count where values[k] == 0 { values[k] = .nan }
            case .nonPositive: for k in 0..<count where values[k] <= 0 { values[k] = .nan }
            case .negative: for k in 0..<count where values[k] < 0 { values[k] = .nan }
            }
        case .scalar:
            if hits(operand, rule) { operand = .scalar(.nan) }
        }
    }

    /// Whether ``mask(_:_:)`` would write a NaN, without writing it. Tests the values' bit
    /// patterns with integer operations, which vectorise.
    func hits(_ operand: Operand, _ rule: MaskRule) -> Bool {
        switch operand {
        case .column, .slot:
            let values = pointer(operand)
            switch rule {
            case .zero: return anyHit(values, Self.zeroBit)
            case .nonPositive: return anyHit(values, Self.nonPositiveBit)
            case .negative: return anyHit(values, Self.negativeBit)
            }
        case .scalar(let v):
            switch rule {
            case .zero: return v == 0
            case .nonPositive: return v <= 0
            case .negative: return v < 0
            }
        }
    }

    /// Whether `hitBit` (bit 63 set exactly where a value's bit pattern meets a rule) sets bit
    /// 63 for some value.
    @inline(__always)
    private func anyHit(
        _ values: UnsafeMutablePointer<Double>, _ hitBit: (UInt64) -> UInt64
    ) -> Bool {
        var hits: UInt64 = 0
        for k in 0..<count { hits |= hitBit(values[k].bitPattern) }
        return hits >> 63 != 0
    }

    /// The bit pattern of +infinity, the largest magnitude that is not NaN.
    private static let infinityBits: UInt64 = 0x7FF0_0000_0000_0000

    /// Bit 63 set exactly when the value with these bits is `== 0` (its magnitude less one
    /// wraps round only from 0).
    @inline(__always)
    static func zeroBit(_ bits: UInt64) -> UInt64 {
        (bits & ~(1 << 63)) &- 1
    }

    /// Bit 63 of `infinityBits - magnitude`: set exactly for NaN.
    @inline(__always)
    private static func nanBit(_ bits: UInt64) -> UInt64 {
        infinityBits &- (bits & ~(1 << 63))
    }

    /// Bit 63 set exactly when the value with these bits is `<= 0`: zero, or a sign that is
    /// not NaN's.
    @inline(__always)
    static func nonPositiveBit(_ bits: UInt64) -> UInt64 {
        (bits & ~nanBit(bits)) | zeroBit(bits)
    }

    /// Bit 63 set exactly when the value with these bits is `< 0`: a sign that is neither
    /// NaN's nor zero's.
    @inline(__always)
    static func negativeBit(_ bits: UInt64) -> UInt64 {
        bits & ~nanBit(bits) & ~zeroBit(bits)
    }

    /// Whether a slot holds a NaN.
    func hasNaN(_ slot: Int) -> Bool {
        let r = pointer(slot)
        var nans = 0
        for k in 0..<count { nans &+= r[k].isNaN ? 1 : 0 }
        return nans != 0
    }
}
