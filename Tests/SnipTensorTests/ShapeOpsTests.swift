import SnipTensor
import Testing
import TestSupport

struct ShapeOpsTests {
    @Test func reshapeSharesValuesAndRoutesGradients() {
        let x = randomTensor([2, 6], seed: 1)
        checkGradients([x], forward: { $0[0].reshaped([3, -1]) * 2 }, reference: { $0[0].map { $0 * 2 } })
        #expect(x.reshaped([3, -1]).shape == [3, 4])
        #expect(throws: ShapeError.self) { try ShapeCheck.reshape([2, 6], to: [5, -1]) }
        #expect(throws: ShapeError.self) { try ShapeCheck.reshape([2, 6], to: [-1, -1]) }
    }

    @Test func permuteAndTranspose() {
        let x = randomTensor([2, 3, 4], seed: 2)
        // result[i, j, k] = x[j, k, i]: order [2, 0, 1]
        checkGradients(
            [x], forward: { $0[0].permuted([2, 0, 1]) },
            reference: { v in
                var out: [Double] = []
                for i in 0..<4 { for j in 0..<2 { for k in 0..<3 { out.append(v[0][(j * 3 + k) * 4 + i]) } } }
                return out
            })
        let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).transposed()
        #expect(t.shape == [3, 2])
        #expect(t.scalars == [1, 4, 2, 5, 3, 6])
        #expect(throws: ShapeError.self) { try ShapeCheck.permute([2, 3], [0, 0]) }
    }

    @Test func expandBroadcastsAndSumsGradients() {
        let x = randomTensor([3, 1], seed: 3)
        checkGradients(
            [x], forward: { $0[0].expanded(to: [2, 3, 4]) },
            reference: { v in (0..<24).map { v[0][($0 / 4) % 3] } })
        #expect(throws: ShapeError.self) { try ShapeCheck.expand([3, 2], to: [3, 4]) }
    }

    @Test func concatenateStackAndSlice() {
        let a = randomTensor([2, 2, 3], seed: 4)
        let b = randomTensor([2, 1, 3], seed: 5)
        checkGradients(
            [a, b], forward: { Tensor.concatenate([$0[0], $0[1]], axis: 1) },
            reference: { v in
                var out: [Double] = []
                for o in 0..<2 {
                    out += v[0][o * 6..<o * 6 + 6]
                    out += v[1][o * 3..<o * 3 + 3]
                }
                return out
            })
        let c = randomTensor([2, 2, 3], seed: 6)
        checkGradients(
            [a, c], forward: { Tensor.stack([$0[0], $0[1]], axis: 0) }, reference: { $0[0] + $0[1] })
        #expect(Tensor.stack([a, c], axis: -1).shape == [2, 2, 3, 2])
        checkGradients(
            [a], forward: { $0[0].sliced(axis: 2, 1..<3) },
            reference: { v in
                var out: [Double] = []
                for r in 0..<4 { out += [v[0][r * 3 + 1], v[0][r * 3 + 2]] }
                return out
            })
        #expect(throws: ShapeError.self) { try ShapeCheck.slice([2, 3], axis: 1, range: 2..<4) }
        #expect(throws: ShapeError.self) { try ShapeCheck.concatenate([[2, 3], [3, 3]], axis: 1) }
        #expect(throws: ShapeError.self) { try ShapeCheck.axis(2, rank: 2) }
    }
}
