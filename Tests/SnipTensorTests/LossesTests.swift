import Foundation
import SnipTensor
import Testing
import TestSupport

struct LossesTests {
    @Test func crossEntropyMatchesFloat64() {
        let logits = randomTensor([4, 5], low: -3, high: 3, seed: 1)
        let targets = [0, 4, 2, 2]
        checkGradients(
            [logits], forward: { crossEntropy(logits: $0[0], targets: targets) },
            reference: { x in
                var total = 0.0
                for (row, target) in targets.enumerated() {
                    let r = Array(x[0][row * 5..<(row + 1) * 5])
                    let lse = Foundation.log(r.reduce(0) { $0 + Foundation.exp($1) })
                    total += lse - r[target]
                }
                return [total / 4]
            })
    }

    @Test func crossEntropyHandValue() {
        // uniform logits over 4 classes: loss = ln 4
        let loss = crossEntropy(logits: Tensor.zeros([3, 4]), targets: [0, 1, 3])
        #expect(Swift.abs(Double(loss.item) - Foundation.log(4)) < 1e-6)
    }

    @Test func meanSquaredErrorMatchesFloat64() {
        checkGradients(
            [randomTensor([3, 2], seed: 2), randomTensor([3, 2], seed: 3)],
            forward: { meanSquaredError(prediction: $0[0], target: $0[1]) },
            reference: { x in
                var total = 0.0
                for (p, t) in zip(x[0], x[1]) { total += (p - t) * (p - t) }
                return [total / 6]
            })
        #expect(meanSquaredError(prediction: Tensor([1, 2]), target: Tensor([3, 2])).item == 2)
    }
}
