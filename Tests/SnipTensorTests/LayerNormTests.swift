import Foundation
import SnipTensor
import Testing
import TestSupport

struct LayerNormTests {
    static func reference(_ x: [Double], _ w: [Double]?, _ b: [Double]?, cols: Int, eps: Double) -> [Double] {
        stride(from: 0, to: x.count, by: cols).flatMap { start -> [Double] in
            let row = Array(x[start..<start + cols])
            let mean = row.reduce(0, +) / Double(cols)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(cols)
            return row.indices.map { i in
                (row[i] - mean) / (variance + eps).squareRoot() * (w?[i] ?? 1) + (b?[i] ?? 0)
            }
        }
    }

    @Test(arguments: [5, 19])
    func affineLayerNorm(_ cols: Int) {
        let x = randomTensor([3, 2, cols], low: -2, high: 3, seed: UInt64(cols))
        let w = randomTensor([cols], low: 0.5, high: 1.5, seed: 2)
        let b = randomTensor([cols], seed: 3)
        checkGradients(
            [x, w, b], forward: { $0[0].layerNorm(weight: $0[1], bias: $0[2], epsilon: 1e-5) },
            reference: { Self.reference($0[0], $0[1], $0[2], cols: cols, eps: 1e-5) })
    }

    @Test func withoutAffineParameters() {
        let x = randomTensor([4, 8], seed: 9)
        checkGradients(
            [x], forward: { $0[0].layerNorm(weight: nil, bias: nil, epsilon: 1e-12) },
            reference: { Self.reference($0[0], nil, nil, cols: 8, eps: 1e-12) })
    }

    /// Many rows use the threaded path with per-thread partial sums for the parameter
    /// gradients; they must match a single-threaded evaluation of the same rows.
    @Test func threadedBackwardMatchesRowByRow() {
        let x = randomTensor([512, 64], seed: 11)
        var w = randomTensor([64], low: 0.5, high: 1.5, seed: 12)
        w.requiresGrad = true
        x.layerNorm(weight: w, bias: nil).sum().backward()
        let total = w.grad!
        var accumulated = [Double](repeating: 0, count: 64)
        for r in 0..<512 {
            var wr = w.detached()
            wr.requiresGrad = true
            Tensor(x.rows[r], shape: [1, 64]).layerNorm(weight: wr, bias: nil).sum().backward()
            for (i, g) in wr.grad!.scalars.enumerated() { accumulated[i] += Double(g) }
        }
        assertClose(total.scalars, accumulated, rtol: 1e-4, atol: 1e-4)
    }
}
