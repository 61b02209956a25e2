import Foundation
import SnipModel
import SnipNN
import SnipTensor
import Testing

struct PropertyTrainingTests {
    @Test func metricsAgreeWithHandComputedValues() {
        // truth mean 2, SST = 2; SSE = 0.0025 + 0 + 0.25 = 0.2525
        let m = PropertyMetrics(predictions: [1.05, 2, 3.5], truths: [1, 2, 3])
        let sse = 0.2525
        #expect(Swift.abs(m.mse - sse / 3) < 1e-12)
        #expect(Swift.abs(m.r2 - (1 - sse / 2)) < 1e-12)
        #expect(Swift.abs(m.nmse - (sse / 3) / (2.0 / 3)) < 1e-9)
        // scaled by the range 2: errors 0.025, 0, 0.25
        let third: Double = 1.0 / 3
        let twoThirds: Double = 2.0 / 3
        #expect(m.accuracy == [third, twoThirds, 1.0])
        // chance predicts 2 → scaled errors 0.5, 0, 0.5
        #expect(m.chanceAccuracy == [third, third, 1.0])
        #expect(PropertyMetrics(predictions: [1, 2, 3], truths: [1, 2, 3]).r2 == 1)
    }

    static let config = ModelConfig(maxInputDimension: 1, width: 16, layers: 1, heads: 2, latent: 8, pointTokenWidth: 4)

    /// A learnable toy property: the fraction of token 20 in the expression.
    static func examples(_ count: Int, seed: UInt64) -> [TrainingExample] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let tokens = (0..<Int.random(in: 4...10, using: &generator)).map { _ in Bool.random(using: &generator) ? 20 : 30 }
            return TrainingExample(expressionTokens: tokens, pointTokens: [], property: Double(tokens.filter { $0 == 20 }.count) / Double(tokens.count))
        }
    }

    @Test func frozenTrainsOnlyTheHeadAndFineTuningLearns() throws {
        var options = PropertyTrainingOptions()
        options.learningRate = 3e-3
        options.warmup = 0
        let data = ExampleList(Self.examples(64, seed: 1))
        let test = Self.examples(64, seed: 2)

        let frozenModel = try SNIPModel(config: Self.config, seed: 3)
        let encoderBefore = frozenModel.symbolicEncoder.stateDict()
        let frozen = PropertyTrainer(model: frozenModel, mode: .frozen, options: options)
        _ = try frozen.train(data: data, steps: 20)
        for (key, value) in frozenModel.symbolicEncoder.stateDict() { #expect(value.scalars == encoderBefore[key]!.scalars, "\(key) moved") }

        let model = try SNIPModel(config: Self.config, seed: 3)
        let tuned = PropertyTrainer(model: model, mode: .fineTuned, options: options)
        let before = PropertyMetrics(predictions: PropertyTrainer.predict(model: model, expressions: test.map(\.expressionTokens)), truths: test.map { $0.property! })
        _ = try tuned.train(data: data, steps: 150)
        let after = PropertyMetrics(predictions: PropertyTrainer.predict(model: model, expressions: test.map(\.expressionTokens)), truths: test.map { $0.property! })
        #expect(after.mse < before.mse / 4, "mse \(before.mse) → \(after.mse)")
        #expect(after.r2 > 0.5, "r2 \(after.r2)")
        #expect(tuned.step == 150 && tuned.skipped == 0)
    }
}

struct RetrievalTests {
    @Test func ranksByTheClipScore() {
        // sample 0 and 1 match themselves; sample 2's points score higher with expression 0
        let symbolic = Tensor(rows: [[1, 0], [0, 1], [1, 1]])
        let numeric = Tensor(rows: [[2, 0], [0, 2], [3, -0.5]])
        let m = RetrievalMetrics(symbolic: symbolic, numeric: numeric, ks: [1, 2])
        // expression 0: scores 2, 0, 3 → own rank 1; expression 1: 0, 2, -0.5 → rank 0;
        // expression 2: 2, 2, 2.5 → rank 0
        let twoThirds: Double = 2.0 / 3
        let third: Double = 1.0 / 3
        #expect(m.symbolicToNumeric == [twoThirds, 1.0])
        // points 0: 2, 0, 2 → rank 0 (ties do not count against); points 1: 0, 2, 2 → 0;
        // points 2: 3, -0.5, 2.5 → rank 1
        #expect(m.numericToSymbolic == [twoThirds, 1.0])
        #expect(m.chance == [third, twoThirds])
    }
}
