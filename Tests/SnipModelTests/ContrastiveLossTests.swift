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

    @Test(arguments: [nil, 39.0])
    func normalizedCLIPMatchesItsDefinition(initialScale: Double?) {
        let loss = ContrastiveLoss(objective: .clipNormalized, initialScale: initialScale)
        let scale = initialScale ?? 1 / 0.07
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

    /// A given starting scale replaces the objective's own; the reference objective has none.
    @Test func theStartingScaleCanBeGiven() {
        let scale = { (loss: ContrastiveLoss) in Double(loss.parameters[0].parameter.value.scalars[0]) }
        #expect(Swift.abs(scale(ContrastiveLoss(objective: .clipNormalized)) - Foundation.log(1 / 0.07)) < 1e-6)
        #expect(Swift.abs(scale(ContrastiveLoss(objective: .siglip)) - Foundation.log(10)) < 1e-6)
        #expect(Swift.abs(scale(ContrastiveLoss(objective: .siglip, initialScale: 25)) - Foundation.log(25)) < 1e-6)
        let given = ContrastiveLoss(objective: .clipNormalized, initialScale: 39)
        #expect(Swift.abs(scale(given) - Foundation.log(39)) < 1e-6)
        #expect(ContrastiveLoss(objective: .clip, initialScale: 39).parameters.isEmpty)
        #expect(ContrastiveLoss.defaultInitialScale(of: .clip) == nil)
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

struct LookAlikeTargetTests {
    @Test func withOnlyTheDiagonalTheSoftTargetsAreTheReferenceLoss() {
        let f = randomTensor([5, 3], seed: 11)
        let y = randomTensor([5, 3], seed: 12)
        let plain = ContrastiveLoss(objective: .clip)(symbolic: f, numeric: y)
        let soft = ContrastiveLoss(objective: .clip)(symbolic: f, numeric: y, lookAlikes: [Bool](repeating: false, count: 25))
        #expect(abs(plain.item - soft.item) < 1e-5)
    }

    @Test func lookAlikePairsShareTheTarget() {
        // pairs (0, 1) both ways look alike: row 0's target is ½ on columns 0 and 1
        let (b, l) = (3, 2)
        var matches = [Bool](repeating: false, count: 9)
        matches[0 * 3 + 1] = true
        matches[1 * 3 + 0] = true
        let loss = ContrastiveLoss(objective: .clip)
        checkGradients(
            [randomTensor([b, l], seed: 13), randomTensor([b, l], seed: 14)],
            forward: { loss(symbolic: $0[0], numeric: $0[1], lookAlikes: matches).reshaped([1]) },
            reference: { x in
                var logits = [Double](repeating: 0, count: b * b)
                for i in 0..<b { for j in 0..<b { logits[i * b + j] = (0..<l).reduce(0) { $0 + x[0][i * l + $1] * x[1][j * l + $1] } } }
                func side(_ at: (Int, Int) -> Double) -> Double {
                    var total = 0.0
                    for i in 0..<b {
                        let row = (0..<b).map { at(i, $0) }
                        let lse = log(row.map(exp).reduce(0, +))
                        let targets = (0..<b).filter { $0 == i || matches[i * b + $0] }
                        total += targets.reduce(0) { $0 + (lse - row[$1]) } / Double(targets.count)
                    }
                    return total
                }
                // columns: points j against formulas; matches transposed
                var columnTotal = 0.0
                for j in 0..<b {
                    let column = (0..<b).map { logits[$0 * b + j] }
                    let lse = log(column.map(exp).reduce(0, +))
                    let targets = (0..<b).filter { $0 == j || matches[$0 * b + j] }
                    columnTotal += targets.reduce(0) { $0 + (lse - column[$1]) } / Double(targets.count)
                }
                return [(side { logits[$0 * b + $1] } + columnTotal) / Double(2 * b)]
            })
    }

    @Test func generatedBatchesCarryTheirLookAlikeTable() throws {
        let config = ModelConfig.small()
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false)
        let data = try spec.trainingData(config: config, seed: 3) as! GeneratedTrainingData
        let batch = try data.batch(forStep: 0, count: 32, lookAlikes: true)
        let table = try #require(batch.lookAlikes)
        #expect(table.count == 32 * 32)
        #expect((0..<32).allSatisfy { table[$0 * 32 + $0] })
        // a third of the reference's 1-D functions are affine: some pairs must match
        #expect((0..<32).contains { i in (0..<32).contains { j in i != j && table[i * 32 + j] } })
        #expect(try data.batch(forStep: 0, count: 32, lookAlikes: false).examples == batch.examples)
        #expect(throws: ModelError.self) { try ExampleList(batch.examples).batch(forStep: 0, count: 4, lookAlikes: true) }
    }
}
