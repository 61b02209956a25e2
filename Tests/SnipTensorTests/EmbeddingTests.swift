import SnipTensor
import Testing
import TestSupport

struct EmbeddingTests {
    @Test func gatherRowsAndScatterGradientsSkippingPadding() {
        let table = randomTensor([6, 4], seed: 1)
        let ids = [3, 0, 3, 5, 2, 5]
        checkGradients(
            [table], forward: { Tensor.embedding($0[0], ids: ids, shape: [2, 3]) },
            reference: { t in ids.flatMap { id in (0..<4).map { t[0][id * 4 + $0] } } })
        var t = table
        t.requiresGrad = true
        let y = Tensor.embedding(t, ids: ids, shape: [2, 3], paddingIndex: 5)
        #expect(y.shape == [2, 3, 4])
        y.sum().backward()
        let g = t.grad!.rows
        #expect(g[3] == [2, 2, 2, 2])  // used twice
        #expect(g[5] == [0, 0, 0, 0])  // padding row: no gradient
        #expect(g[1] == [0, 0, 0, 0])  // unused
        #expect(Array(y.scalars[12..<16]) == table.rows[5])  // the padding row is still looked up
    }
}
