import Foundation
import SnipModel
import SnipTensor
import TestSupport
import Testing

/// Float64 references of the two normalised objectives at their initial scales.
private func unitRows(_ z: [Double], _ b: Int, _ l: Int) -> [Double] {
    var out = z
    for r in 0..<b {
        let norm = (0..<l).reduce(0) { $0 + z[r * l + $1] * z[r * l + $1] }.squareRoot()
        for c in 0..<l { out[r * l + c] = z[r * l + c] / norm }
    }
    return out
}

private func cosines(_ f: [Double], _ y: [Double], _ b: Int, _ l: Int) -> [Double] {
    let uf = unitRows(f, b, l)
    let uy = unitRows(y, b, l)
    return (0..<(b * b)).map { ij in (0..<l).reduce(0) { $0 + uf[(ij / b) * l + $1] * uy[(ij % b) * l + $1] } }
}

struct ContrastiveLossTests {
    static let (b, l) = (4, 3)

    @Test func normalizedCLIPMatchesItsDefinition() {
        let loss = ContrastiveLoss(objective: .clipNormalized)
        let scale = 1 / 0.07
        checkGradients(
            [randomTensor([Self.b, Self.l], seed: 1), randomTensor([Self.b, Self.l], seed: 2)],
            forward: { loss(symbolic: $0[0], numeric: $0[1]).reshaped([1]) },
            reference: { x in
                let (b, l) = (Self.b, Self.l)
                let logits = cosines(x[0], x[1], b, l).map { $0 * scale }
                var total = 0.0
                for i in 0..<b {
                    let row = (0..<b).map { logits[i * b + $0] }
                    let column = (0..<b).map { logits[$0 * b + i] }
                    total += log(row.map(exp).reduce(0, +)) - row[i]
                    total += log(column.map(exp).reduce(0, +)) - column[i]
                }
                return [total / Double(2 * b)]
            })
    }

    @Test func sigLIPMatchesItsDefinition() {
        let loss = ContrastiveLoss(objective: .siglip)
        checkGradients(
            [randomTensor([Self.b, Self.l], seed: 3), randomTensor([Self.b, Self.l], seed: 4)],
            forward: { loss(symbolic: $0[0], numeric: $0[1]).reshaped([1]) },
            reference: { x in
                let (b, l) = (Self.b, Self.l)
                let c = cosines(x[0], x[1], b, l)
                var total = 0.0
                for ij in 0..<(b * b) {
                    let sign: Double = ij / b == ij % b ? 1 : -1
                    total += log(1 + exp(-sign * (10 * c[ij] - 10)))
                }
                return [total / Double(b)]
            })
    }

    @Test func theScaleIsLearnedAndTheReferenceObjectiveHasNoParameters() {
        #expect(ContrastiveLoss(objective: .clip).parameters.isEmpty)
        let loss = ContrastiveLoss(objective: .siglip)
        #expect(loss.parameters.map(\.key) == ["clip.logit_scale", "clip.logit_bias"])
        let f = randomTensor([Self.b, Self.l], seed: 5)
        let y = randomTensor([Self.b, Self.l], seed: 6)
        loss(symbolic: f, numeric: y).backward()
        #expect(loss.parameters.allSatisfy { ($0.parameter.grad?.scalars.first ?? 0) != 0 })
        #expect(ContrastiveObjective.clip.similarity == .dot && ContrastiveObjective.siglip.similarity == .cosine)
    }
}
