import Foundation
import SnipTensor
import Testing
import TestSupport

/// Unary elementwise ops: forward against Foundation's float64 math, gradients by finite
/// differences of the float64 reference.
struct ElementwiseTests {
    struct Case: Sendable {
        let name: String
        let op: @Sendable (Tensor) -> Tensor
        let f: @Sendable (Double) -> Double
        let low: Float
        let high: Float
        let kinks: [Float]
        init(
            _ name: String, _ op: @escaping @Sendable (Tensor) -> Tensor,
            _ f: @escaping @Sendable (Double) -> Double, _ low: Float, _ high: Float, _ kinks: [Float]
        ) {
            (self.name, self.op, self.f, self.low, self.high, self.kinks) = (name, op, f, low, high, kinks)
        }
    }

    static let cases: [Case] = [
        Case("neg", { -$0 }, { -$0 }, -3, 3, []),
        Case("exp", { $0.exp() }, { Foundation.exp($0) }, -5, 5, []),
        Case("log", { $0.log() }, { Foundation.log($0) }, 0.1, 5, []),
        Case("sqrt", { $0.sqrt() }, { $0.squareRoot() }, 0.1, 5, []),
        Case("abs", { $0.abs() }, { Swift.abs($0) }, -3, 3, [0]),
        Case("relu", { $0.relu() }, { Swift.max($0, 0) }, -3, 3, [0]),
        Case("tanh", { $0.tanh() }, { Foundation.tanh($0) }, -4, 4, []),
        Case("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }, -6, 6, []),
        Case("gelu", { $0.gelu() }, { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }, -4, 4, []),
        Case("pow 3", { $0.pow(3) }, { $0 * $0 * $0 }, -2, 2, []),
        Case("pow 2", { $0.pow(2) }, { $0 * $0 }, -2, 2, []),
        Case("pow -1.5", { $0.pow(-1.5) }, { Foundation.pow($0, -1.5) }, 0.2, 3, []),
        Case("clamp", { $0.clamped(min: -0.5, max: 0.7) }, { Swift.min(Swift.max($0, -0.5), 0.7) }, -2, 2, [-0.5, 0.7]),
        Case("add scalar", { $0 + 2.5 }, { $0 + 2.5 }, -2, 2, []),
        Case("scalar minus", { 1.5 - $0 }, { 1.5 - $0 }, -2, 2, []),
        Case("times scalar", { $0 * -3 }, { $0 * -3 }, -2, 2, []),
        Case("scalar over", { 2 / $0 }, { 2 / $0 }, 0.5, 2, []),
    ]

    @Test(arguments: cases.indices)
    func forwardAndGradient(_ index: Int) {
        let c = Self.cases[index]
        let x = randomTensor([3, 5], low: c.low, high: c.high, avoiding: c.kinks, seed: UInt64(index + 1))
        checkGradients(
            [x], forwardRTol: 2e-6, forwardATol: 1e-6,
            forward: { c.op($0[0]) }, reference: { $0[0].map(c.f) })
    }

    /// The vectorised kernels over their whole range, including the edges where naive
    /// formulas overflow, against float64 math.
    @Test func kernelsMatchFloat64AcrossTheRange() {
        var values: [Float] = stride(from: Float(-120), through: 120, by: 0.37).map { $0 }
        values += [0, -0.0, 1e-30, -1e-30, 88.7, 88.72, 89, -87.3, -103, -104, -110, 0.624, 0.626, -0.624]
        let x = Tensor(values)
        func relative(_ a: Float, _ b: Double) -> Double {
            if b.isInfinite || a.isInfinite { return a == Float(b) ? 0 : .infinity }
            return Swift.abs(Double(a) - b) / Swift.max(Swift.abs(b), 1e-37)
        }
        let exp = x.exp().scalars
        let tanh = x.tanh().scalars
        let sigmoid = x.sigmoid().scalars
        for (i, v) in values.enumerated() {
            let d = Double(v)
            let e = Foundation.exp(d)
            // below FLT_MIN the result is subnormal: compare absolutely
            if e > 1.2e-38 && e < 3.4e38 {
                #expect(relative(exp[i], e) < 4e-7, "exp(\(v)) = \(exp[i]), expected \(e)")
            } else if e >= 3.5e38 {
                #expect(exp[i] == .infinity, "exp(\(v)) = \(exp[i]) should overflow")
            } else {
                #expect(Swift.abs(Double(exp[i]) - e) < 1e-44, "exp(\(v)) = \(exp[i]), expected \(e)")
            }
            #expect(Swift.abs(Double(tanh[i]) - Foundation.tanh(d)) < 3e-7, "tanh(\(v)) = \(tanh[i])")
            #expect(Swift.abs(Double(sigmoid[i]) - 1 / (1 + Foundation.exp(-d))) < 3e-7, "sigmoid(\(v))")
        }
        #expect(Tensor([Float.nan]).exp().item.isNaN)
        #expect(Tensor([Float.nan]).tanh().item.isNaN)
        #expect(Tensor([Float.infinity]).exp().item == .infinity)
        #expect(Tensor([-Float.infinity]).exp().item == 0)
        #expect(Tensor([-Float.infinity, .infinity]).tanh().scalars == [-1, 1])
    }

    /// Large tensors go through the threaded path; results must equal the single-chunk path.
    @Test func threadedKernelsAgreeWithSmallOnes() {
        let big = randomTensor([300, 700], low: -5, high: 5, seed: 3)
        let y = big.tanh()
        let rows = big.rows
        for r in [0, 149, 299] {
            let small = Tensor(rows[r]).tanh().scalars
            #expect(Array(y.scalars[r * 700..<(r + 1) * 700]) == small)
        }
    }
}
