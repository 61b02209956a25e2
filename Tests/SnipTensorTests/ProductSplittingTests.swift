import SnipTensor
import Testing
import TestSupport

/// Products large enough to be split over the compute threads (many rows, or a long inner
/// dimension, with narrow widths) give the naive product, with every transpose flag, and so do
/// a linear layer's output (accumulated onto its bias) and gradients.
struct ProductSplittingTests {
    static func expectClose(_ got: [Float], _ expected: [Double], tolerance: Double, _ what: String) {
        #expect(got.count == expected.count, "\(what): count")
        let worst = zip(got, expected).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(worst <= tolerance, "\(what): largest error \(worst)")
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func manyRowsAndLongInnerDimensions(_ flags: (Bool, Bool)) {
        let (ta, tb) = flags
        // m = 4096 rows of width 64 (split by rows), then k = 8192 (split along k)
        for (m, n, k, seed) in [(4096, 48, 64, UInt64(1)), (64, 40, 8192, UInt64(5))] {
            let a = randomTensor(ta ? [k, m] : [m, k], seed: seed)
            let b = randomTensor(tb ? [n, k] : [k, n], seed: seed + 1)
            let product = Tensor.matmul(a, b, transposeA: ta, transposeB: tb)
            let expected = MatmulTests.naive(
                a.scalars.map(Double.init), b.scalars.map(Double.init), batch: 1, m: m, n: n, k: k, ta: ta, tb: tb,
                sharedB: false)
            Self.expectClose(product.scalars, expected, tolerance: 2e-6 * Double(k), "\(m)×\(k)·\(k)×\(n) \(flags)")
        }
    }

    @Test func aLinearLayerOverManyRows() {
        let (rows, inputs, outputs) = (4096, 64, 96)
        var x = randomTensor([rows, inputs], seed: 11)
        var w = randomTensor([outputs, inputs], seed: 12)
        var bias = randomTensor([outputs], seed: 13)
        x.requiresGrad = true
        w.requiresGrad = true
        bias.requiresGrad = true
        let upstream = randomTensor([rows, outputs], seed: 14)
        let y = Tensor.linear(x, weight: w, bias: bias)
        y.backward(seed: upstream)
        let (xs, ws, bs, gs) = (x.scalars.map(Double.init), w.scalars.map(Double.init), bias.scalars.map(Double.init), upstream.scalars.map(Double.init))
        let forward = MatmulTests.naive(xs, ws, batch: 1, m: rows, n: outputs, k: inputs, ta: false, tb: true, sharedB: false)
            .enumerated().map { $0.element + bs[$0.offset % outputs] }
        Self.expectClose(y.scalars, forward, tolerance: 2e-6 * Double(inputs), "output")
        let dx = MatmulTests.naive(gs, ws, batch: 1, m: rows, n: inputs, k: outputs, ta: false, tb: false, sharedB: false)
        Self.expectClose(x.grad!.scalars, dx, tolerance: 2e-6 * Double(outputs), "dx")
        let dw = MatmulTests.naive(gs, xs, batch: 1, m: outputs, n: inputs, k: rows, ta: true, tb: false, sharedB: false)
        Self.expectClose(w.grad!.scalars, dw, tolerance: 2e-6 * Double(rows), "dweight")
    }
}
