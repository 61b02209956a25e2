import Foundation
import SnipTensor
import Testing
import TestSupport

/// Reductions against naive float64 loops over an [outer, axis, inner] split.
struct ReduceTests {
    static func reduceReference(
        _ x: [Double], _ shape: [Int], axis: Int, _ body: ([Double]) -> Double
    ) -> [Double] {
        let outer = shape[..<axis].reduce(1, *)
        let size = shape[axis]
        let inner = shape[(axis + 1)...].reduce(1, *)
        var result: [Double] = []
        for o in 0..<outer {
            for j in 0..<inner {
                result.append(body((0..<size).map { x[(o * size + $0) * inner + j] }))
            }
        }
        return result
    }

    static let shape = [3, 4, 5]

    @Test(arguments: [0, 1, 2])
    func sumMeanMaxLogSumExpAlongEachAxis(_ axis: Int) {
        let x = randomTensor(Self.shape, low: -2, high: 2, seed: UInt64(10 + axis))
        checkGradients(
            [x], forward: { $0[0].sum(axis: axis) },
            reference: { Self.reduceReference($0[0], Self.shape, axis: axis) { $0.reduce(0, +) } })
        checkGradients(
            [x], forward: { $0[0].mean(axis: axis, keepDims: true) },
            reference: {
                Self.reduceReference($0[0], Self.shape, axis: axis) { $0.reduce(0, +) / Double($0.count) }
            })
        checkGradients(
            [x], forward: { $0[0].max(axis: axis) },
            reference: { Self.reduceReference($0[0], Self.shape, axis: axis) { $0.max()! } })
        checkGradients(
            [x], forward: { $0[0].logSumExp(axis: axis) },
            reference: {
                Self.reduceReference($0[0], Self.shape, axis: axis) { v in
                    Foundation.log(v.reduce(0) { $0 + Foundation.exp($1) })
                }
            })
    }

    @Test func sumOverSeveralAxesAndAll() {
        let x = randomTensor([2, 3, 4], seed: 4)
        checkGradients(
            [x], forward: { $0[0].sum(axes: [0, 2], keepDims: false) },
            reference: { v in
                var out = [Double](repeating: 0, count: 3)
                for o in 0..<2 { for j in 0..<3 { for k in 0..<4 { out[j] += v[0][(o * 3 + j) * 4 + k] } } }
                return out
            })
        checkGradients([x], forward: { $0[0].mean() }, reference: { [$0[0].reduce(0, +) / 24] })
        #expect(x.sum(axes: [0, 2], keepDims: true).shape == [1, 3, 1])
        #expect(x.sum().shape == [])
    }

    @Test func argmaxTakesTheFirstMaximum() {
        let x = Tensor([1, 5, 5, 2, 0, 9, 9, 9], shape: [2, 4])
        #expect(x.argmax(axis: 1).scalars == [1, 1])
        #expect(x.argmax(axis: 0).scalars == [0, 1, 1, 1])
        #expect(x.argmax(axis: 1, keepDims: true).shape == [2, 1])
    }

    @Test func logSumExpIsStableForLargeInputs() {
        let x = Tensor([1000, 1000, -1000, 0], shape: [2, 2])
        assertClose(x.logSumExp(axis: 1), [1000 + Foundation.log(2), 0], rtol: 1e-6)
    }

    @Test func largeSumsUseEveryThreadAndStayAccurate() {
        let x = Tensor.ones([4, 100_000])
        #expect(x.sum(axis: 1).scalars == [100_000, 100_000, 100_000, 100_000])
        let y = Tensor.ones([3000, 512])
        #expect(y.sum(axis: 0).scalars.allSatisfy { $0 == 3000 })
    }
}
