import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipRegression
import SnipTensor
import TestSupport
import Testing

struct FormulaDecoderTests {
    /// A tiny SNIP model of two input variables.
    static let modelConfig = ModelConfig(
        maxInputDimension: 2, width: 16, layers: 1, heads: 2, latent: 8, pointTokenWidth: 4)

    static func decoderConfig(maxLength: Int = 24) -> DecoderConfig {
        var config = DecoderConfig(model: modelConfig)
        config.width = 16
        config.layers = 1
        config.heads = 2
        config.memoryTokens = 2
        config.mapperHidden = 16
        config.maxLength = maxLength
        return config
    }

    static func latents(_ rows: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return Tensor.randomNormal([rows, modelConfig.latent], std: 1, using: &generator)
    }

    @Test func maskedCrossEntropyLeavesPaddingRowsOut() throws {
        var generator = SeededGenerator(seed: 3)
        var logits = Tensor.randomNormal([3, 5], std: 1, using: &generator)
        logits.requiresGrad = true
        let masked = crossEntropy(logits: logits, targets: [2, 4, 0], ignoring: 4)
        masked.backward()
        let maskedGrad = logits.grad!.scalars
        var kept = Tensor(Array(logits.scalars[0..<5]) + Array(logits.scalars[10..<15]), shape: [2, 5])
        kept.requiresGrad = true
        let plain = crossEntropy(logits: kept, targets: [2, 0])
        plain.backward()
        #expect(abs(masked.item - plain.item) < 1e-6)
        #expect(maskedGrad[5..<10].allSatisfy { $0 == 0 })
        let plainGrad = kept.grad!.scalars
        for (a, b) in zip(Array(maskedGrad[0..<5]) + Array(maskedGrad[10..<15]), plainGrad) {
            #expect(abs(a - b) < 1e-6)
        }
    }

    @Test func decodingWritesOnlyValidPrefixFormulas() throws {
        let decoder = try FormulaDecoder(config: Self.decoderConfig(maxLength: 12), seed: 7)
        let latent = Self.latents(5, seed: 1)
        let strategies: [(DecodingStrategy, Int)] = [
            (.greedy, 1), (.beam(width: 4), 4), (.sampling(count: 6, temperature: 1.5), 6),
        ]
        for (strategy, perLatent) in strategies {
            let results = decoder.decode(latent: latent, strategy: strategy, variables: 1, seed: 9)
            #expect(results.count == 5)
            for list in results {
                #expect(list.count == perLatent, "\(strategy)")
                for formula in list {
                    let e = try Expression(prefixTokens: formula.words)
                    #expect(formula.words.count <= 12)
                    #expect(!formula.words.contains("x_1"), "only x_0 allowed: \(formula.words)")
                    #expect(formula.expression == e)
                    #expect(formula.logProbability <= 0)
                }
                // a beam's formulas come best first and are distinct
                if case .beam = strategy {
                    #expect(zip(list, list.dropFirst()).allSatisfy { $0.logProbability >= $1.logProbability })
                    #expect(Set(list.map(\.words)).count == list.count)
                }
            }
        }
        // sampling is deterministic for a seed
        let a = decoder.decode(latent: latent, strategy: .sampling(count: 3, temperature: 1), variables: 2, seed: 4)
        let b = decoder.decode(latent: latent, strategy: .sampling(count: 3, temperature: 1), variables: 2, seed: 4)
        #expect(a == b)
    }

    /// Two latent vectors, two formulas: the decoder learns to write each from its own.
    @Test func decoderLearnsToWriteFormulasFromLatents() throws {
        let decoder = try FormulaDecoder(config: Self.decoderConfig(), seed: 2)
        let latent = Self.latents(2, seed: 5)
        let words = [["add", "CONSTANT", "mul", "CONSTANT", "x_0"], ["sin", "mul", "x_0", "x_1"]]
        let targets = words.map { decoder.ids(of: $0)! }
        let adam = Adam(parameters: decoder.parameters, schedule: .constant(3e-3))
        var first = 0.0
        var last = 0.0
        for step in 0..<150 {
            let outcome = optimizationStep(parameters: decoder.parameters, optimizer: adam, clipNorm: 1) {
                decoder.loss(latent: latent, formulas: targets)
            }
            if step == 0 { first = outcome.loss }
            last = outcome.loss
        }
        #expect(last < first / 10, "loss \(first) → \(last)")
        let decoded = decoder.decode(latent: latent, strategy: .greedy, variables: 2)
        #expect(decoded.map { $0[0].words } == words)
    }

    @Test func decoderVocabularyRejectsWhatItCannotWrite() throws {
        let decoder = try FormulaDecoder(config: Self.decoderConfig(maxLength: 4), seed: 1)
        #expect(decoder.ids(of: ["add", "x_0", "x_1"]) != nil)
        #expect(decoder.ids(of: ["add", "x_0", "x_2"]) == nil)  // beyond two variables
        #expect(decoder.ids(of: ["add", "x_0", "2.5"]) == nil)  // numbers are CONSTANT
        #expect(decoder.ids(of: ["add", "add", "x_0", "x_0", "x_0"]) == nil)  // longer than 4
        var bad = Self.decoderConfig()
        bad.heads = 3
        #expect(throws: ModelError.self) { try FormulaDecoder(config: bad, seed: 1) }
    }

    @Test func trainingResumesExactlyAndTheDecoderFileKnowsItsEncoder() throws {
        let whole = freshTemporaryPath("decoder-whole")
        let parts = freshTemporaryPath("decoder-parts")
        defer {
            try? FileManager.default.removeItem(atPath: whole)
            try? FileManager.default.removeItem(atPath: parts)
        }
        let model = try SNIPModel(config: Self.modelConfig, seed: 4)
        var options = DecoderTrainingOptions()
        options.batchSize = 4
        options.warmup = 2
        options.checkpointEvery = 2
        let a = try DecoderTrainer(
            model: model, modelName: "tiny", decoder: Self.decoderConfig(maxLength: 80), options: options,
            directory: whole, seed: 3)
        #expect(try a.train(steps: 5) == .finished)
        let b = try DecoderTrainer(
            model: model, modelName: "tiny", decoder: Self.decoderConfig(maxLength: 80), options: options,
            directory: parts, seed: 3)
        var calls = 0
        #expect(try b.train(steps: 5, shouldStop: { calls += 1; return calls > 3 }) == .interrupted)
        let c = try DecoderTrainer.resume(directory: parts) { name in
            #expect(name == "tiny")
            return model
        }
        #expect(c.step == 3)
        #expect(try c.train(steps: 5) == .finished)
        let lossesA = try a.run.metrics().map { $0["loss"] as? Double ?? .nan }
        let lossesC = try c.run.metrics().map { $0["loss"] as? Double ?? .nan }
        #expect(lossesA.count == 5 && lossesA == lossesC)
        #expect(lossesA.allSatisfy { $0.isFinite })
        for ((key, p), (_, q)) in zip(a.decoder.namedParameters(), c.decoder.namedParameters()) {
            #expect(p.value.scalars == q.value.scalars, "\(key)")
        }
        // the weights-only file loads for its encoder and refuses another
        let loaded = try DecoderCheckpoint.load(c.decoderPath, for: model)
        #expect(loaded.mapperInput.weight.value.scalars == c.decoder.mapperInput.weight.value.scalars)
        let other = try SNIPModel(config: Self.modelConfig, seed: 5)
        #expect(throws: CheckpointError.self) { try DecoderCheckpoint.load(c.decoderPath, for: other) }
        #expect(throws: (any Error).self) { try DecoderCheckpoint.load(c.run.settingsPath, for: model) }
    }

    /// SNIP's proposals: a decoder taught to write `a + b·x_0` proposes, for points of
    /// y = 100 + 3·x_0, a formula that fits them exactly in the data's own variables and scale
    /// (the standardisation undone), and the evolutionary search accepts it; with an
    /// unreachable target the latent-space search runs and stays within its budget.
    @Test func proposalsSeedTheSearch() throws {
        let model = try SNIPModel(config: Self.modelConfig, seed: 6)
        let decoder = try FormulaDecoder(config: Self.decoderConfig(), seed: 6)
        let target = decoder.ids(of: ["add", "CONSTANT", "mul", "CONSTANT", "x_0"])!
        let latents = Self.latents(8, seed: 2)
        let adam = Adam(parameters: decoder.parameters, schedule: .constant(3e-3))
        for _ in 0..<120 {
            _ = optimizationStep(parameters: decoder.parameters, optimizer: adam, clipNorm: 1) {
                decoder.loss(latent: latents, formulas: Array(repeating: target, count: 8))
            }
        }
        var options = DecoderSearchOptions()
        options.beamWidth = 2
        options.samples = 4
        options.points = 40
        options.lsoSeconds = 30
        options.population = 6
        options.iterations = 2
        let source = DecoderProposals(model: model, decoder: decoder, options: options)
        let a: [Double] = (0..<60).map { Double($0) / 6 + 10 }
        let b: [Double] = (0..<60).map { Double($0 % 7) }
        let columns = [a, b]
        let y: [Double] = a.map { 100 + 3 * $0 }
        let data = try RegressionData(columns: columns, y: y)
        let proposals = try source.proposals(for: data, count: 5, seed: 1)
        #expect(!proposals.isEmpty && proposals.count <= 5)
        #expect(source.lastReport.bestR2 > 0.999999)
        #expect(source.lastReport.latents == 0)  // the target was reached by decoding alone
        for e in proposals {
            #expect(try Formula(e).inputDimension <= 2)
        }
        // back in the data's variables and scale, without refitting
        let fit = try proposals[0].fittingConstants(columns: columns, y: y, iterations: 0)
        #expect(fit.r2 > 0.999999, "\(proposals[0].prefix): R² \(fit.r2)")

        source.options.targetR2 = 2  // unreachable: the latent-space search runs its course
        _ = try source.proposals(for: data, count: 5, seed: 2)
        #expect(source.lastReport.latents > 0 && source.lastReport.latents <= 6 * 3)  // the pack, then 2 iterations
        #expect(source.lastReport.bestR2 >= source.lastReport.initialR2)

        var regression = RegressionOptions(timeLimit: nil)
        regression.maxGenerations = 2
        regression.populationSize = 20
        let result = try SymbolicRegression.fit(data, options: regression, proposals: source)
        #expect(result.r2 > 0.999999)
    }
}
