import Foundation
import SnipTensor
import Testing
import TestSupport

struct SoftmaxTests {
    static func softmaxRows(_ x: [Double], cols: Int, log: Bool) -> [Double] {
        stride(from: 0, to: x.count, by: cols).flatMap { start -> [Double] in
            let row = Array(x[start..<start + cols])
            let m = row.max()!
            let total = row.reduce(0) { $0 + Foundation.exp($1 - m) }
            return row.map { log ? $0 - m - Foundation.log(total) : Foundation.exp($0 - m) / total }
        }
    }

    @Test(arguments: [false, true])
    func lastAxis(_ log: Bool) {
        let x = randomTensor([4, 7], low: -3, high: 3, seed: log ? 1 : 2)
        checkGradients(
            [x], forward: { log ? $0[0].logSoftmax() : $0[0].softmax() },
            reference: { Self.softmaxRows($0[0], cols: 7, log: log) })
    }

    @Test(arguments: [false, true])
    func innerAxis(_ log: Bool) {
        // softmax over axis 1 of [2, 3, 4]: compare with the transposed last-axis reference
        let x = randomTensor([2, 3, 4], low: -3, high: 3, seed: 5)
        checkGradients(
            [x], forward: { log ? $0[0].logSoftmax(axis: 1) : $0[0].softmax(axis: 1) },
            reference: { v in
                var t = [Double](repeating: 0, count: 24)  // [2, 4, 3]
                for a in 0..<2 { for b in 0..<3 { for c in 0..<4 { t[(a * 4 + c) * 3 + b] = v[0][(a * 3 + b) * 4 + c] } } }
                let s = Self.softmaxRows(t, cols: 3, log: log)
                var out = [Double](repeating: 0, count: 24)
                for a in 0..<2 { for b in 0..<3 { for c in 0..<4 { out[(a * 3 + b) * 4 + c] = s[(a * 4 + c) * 3 + b] } } }
                return out
            })
    }

    @Test func largeAndMaskedInputs() {
        let x = Tensor([1000, 1001, -.infinity, 0], shape: [1, 4])
        let y = x.softmax().scalars
        assertClose(y, [1 / (1 + M_E), M_E / (1 + M_E), 0, 0], rtol: 1e-6)
        let l = x.logSoftmax().scalars
        #expect(l[2] == -.infinity)
        // float32 spacing near 1001 is 6.1e-5, so the result is exact to that
        #expect(Swift.abs(Double(l[1]) + Foundation.log(1 + 1 / M_E)) < 6.2e-5)
    }
}
