import Foundation
import SnipTensor
import TestSupport
import Testing

/// Linear layers under `Tensor.productPrecision`: in bfloat16 the forward and both gradients are
/// the float64 products of the bfloat16-rounded operands (to float32 sums) — also when the
/// products are split over threads by rows or along the inner dimension — and the gradients
/// keep the precision of the forward; without AVX-512 BF16 they are the float32 layer's.
struct ProductPrecisionTests {
    static func rounded(_ values: [Float]) -> [Double] {
        values.map { Double(NarrowProductsBFloat16Tests.bfloat16($0)) }
    }

    @Test func aBFloat16LayerMultipliesRoundedOperands() {
        // 2,500 rows: on two or more threads the input gradient splits by rows and the weight
        // gradient along its inner dimension
        let (rows, inputs, outputs) = (2500, 64, 192)
        var x = randomTensor([rows, inputs], seed: 31)
        var w = randomTensor([outputs, inputs], seed: 32)
        let bias = randomTensor([outputs], seed: 34)
        x.requiresGrad = true
        w.requiresGrad = true
        let upstream = randomTensor([rows, outputs], seed: 33)
        #expect(Tensor.productPrecision == .float32)
        let y = Tensor.$productPrecision.withValue(.bfloat16) {
            Tensor.linearReLU(x, weight: w, bias: bias)
        }
        y.backward(seed: upstream)  // outside the binding: the forward's precision holds

        var x32 = Tensor(x.scalars, shape: x.shape), w32 = Tensor(w.scalars, shape: w.shape)
        x32.requiresGrad = true
        w32.requiresGrad = true
        let y32 = Tensor.linearReLU(x32, weight: w32, bias: bias)
        y32.backward(seed: upstream)
        guard ProductPrecision.bfloat16IsAvailable else {
            #expect(
                y.scalars == y32.scalars && x.grad!.scalars == x32.grad!.scalars
                    && w.grad!.scalars == w32.grad!.scalars)
            return
        }
        let (xs, ws) = (Self.rounded(x.scalars), Self.rounded(w.scalars))
        var forward = MatmulTests.naive(
            xs, ws, batch: 1, m: rows, n: outputs, k: inputs, ta: false, tb: true, sharedB: false)
        for r in 0..<rows {
            for j in 0..<outputs {
                forward[r * outputs + j] = max(
                    forward[r * outputs + j] + Double(bias.scalars[j]), 0)
            }
        }
        ProductSplittingTests.expectClose(
            y.scalars, forward, tolerance: 4e-6 * Double(inputs), "forward")
        // the rounding shows: the float32 layer differs by more than float32 sums would
        let apart = zip(y.scalars, y32.scalars).map { abs($0 - $1) }.max() ?? 0
        #expect(apart > 1e-3 && apart < 0.1, "bfloat16 and float32 forwards differ by \(apart)")

        let masked = zip(upstream.scalars, y.scalars).map { $1 > 0 ? $0 : 0 }
        let g = Self.rounded(masked)
        let dx = MatmulTests.naive(
            g, ws, batch: 1, m: rows, n: inputs, k: outputs, ta: false, tb: false, sharedB: false)
        ProductSplittingTests.expectClose(
            x.grad!.scalars, dx, tolerance: 4e-6 * Double(outputs), "dx")
        let dw = MatmulTests.naive(
            g, xs, batch: 1, m: outputs, n: inputs, k: rows, ta: true, tb: false, sharedB: false)
        ProductSplittingTests.expectClose(
            w.grad!.scalars, dw, tolerance: 4e-6 * Double(rows), "dweight")
    }

    /// The fused attention under the binding: bfloat16 where the CPU has it and takes this
    /// head width (close to float32, not equal), and a backward run after the binding ends still
    /// uses the forward's precision. Head width 16 (the small model's) and 32 (the medium's).
    @Test(arguments: [16, 32]) func attentionFollowsTheBoundPrecision(headWidth: Int) {
        let segments = Segments(lengths: [200, 37])
        let width = 4 * headWidth
        let upstream = randomTensor([segments.rows, width], seed: 44)
        func run(_ precision: ProductPrecision, backwardInside: Bool) -> [[Float]] {
            var qkv = randomTensor([segments.rows, 3 * width], low: -2, high: 2, seed: 43)
            qkv.requiresGrad = true
            let attend = {
                Tensor.segmentedSelfAttention(
                    packedQKV: qkv, heads: 4, segments: segments, scale: 1 / Float(headWidth).squareRoot())
            }
            let out: Tensor
            if backwardInside {
                out = Tensor.$productPrecision.withValue(precision) {
                    let out = attend()
                    out.backward(seed: upstream)
                    return out
                }
            } else {
                out = Tensor.$productPrecision.withValue(precision) { attend() }
                out.backward(seed: upstream)
            }
            return [out.scalars, qkv.grad!.scalars]
        }
        let single = run(.float32, backwardInside: true)
        let inside = run(.bfloat16, backwardInside: true)
        let outside = run(.bfloat16, backwardInside: false)
        #expect(inside == outside)
        // float32 where this CPU has no bfloat16, or does not take this width in bfloat16
        guard ProductPrecision.attentionInBFloat16(headWidth: headWidth) else {
            #expect(inside == single)
            return
        }
        for (half, full) in zip(inside, single) {
            let apart = zip(half, full).map { abs($0 - $1) }.max()!
            #expect(
                apart > 1e-5 && apart < 0.05, "bfloat16 and float32 attention differ by \(apart)")
        }
    }
}

/// `ProductPrecision.measuredBFloat16Speedup()`: nil without bfloat16 products, else a ratio of
/// two measured times (finite and positive; which side of 1 depends on the CPU).
struct BFloat16SpeedupTests {
    @Test func theSpeedupIsMeasuredWhereBFloat16Exists() throws {
        let speedup = ProductPrecision.measuredBFloat16Speedup()
        if ProductPrecision.bfloat16IsAvailable {
            let value = try #require(speedup)
            #expect(value.isFinite && value > 0.05 && value < 20, "\(value)")
        } else {
            #expect(speedup == nil)
        }
    }
}
