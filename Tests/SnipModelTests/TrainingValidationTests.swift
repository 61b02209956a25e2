import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// In-run validation (best weights kept) and the moving average of the weights.
struct TrainingValidationTests {
    static let config = TinyTraining.config

    /// 24 generated 1-D functions with y scaled, the kind a 1-D run validates on.
    static func heldOut() -> [Sample] {
        var configuration = GeneratorConfiguration(maxInputDimension: 1)
        configuration.normalizeY = true
        let data = GeneratedTrainingData(
            generator: ExpressionGenerator(configuration: configuration),
            tokenizer: SampleTokenizer(config: config, skeleton: false), seed: 77)
        return data.samples(forStep: 0, count: 24)
    }

    static func options(validateEvery: Int, average: Double = 0) -> PretrainingOptions {
        var options = TinyTraining.options()
        options.validateEvery = validateEvery
        options.averageDecay = average
        return options
    }

    @Test func validationMatchesTheModelReport() throws {
        let samples = Self.heldOut()
        let model = try SNIPModel(config: Self.config, seed: 3)
        let metrics = try TrainingValidation(samples: samples).measure(model, step: 9)
        let (report, _) = try #require(try ModelReport.measure(model: model, samples: samples))
        #expect(metrics.step == 9)
        #expect(metrics.pointsToFormulaTop1 == report.pointsToFormula.top1.lookAlike)
        #expect(metrics.formulaToPointsTop1 == report.formulaToPoints.top1.lookAlike)
        #expect(metrics.pointsToFormulaTop10 == report.pointsToFormula.top10.lookAlike)
        #expect(metrics.formulaToPointsTop10 == report.formulaToPoints.top10.lookAlike)
        #expect(metrics.score == (metrics.pointsToFormulaTop1 + metrics.formulaToPointsTop1) / 2)
        let zf = report.probes.filter { $0.embedding == "z_f" }
        #expect(zf.count == 4)
        for probe in zf { #expect(metrics.symbolicProbes[probe.property] == probe.nearestNeighbor) }
    }

    /// Lines written before the hub shares were measured still read (as 0), and the score
    /// is the mean of the two top-1 rates.
    @Test func olderValidationLinesRead() throws {
        let line = #"{"formulaToPointsTop1":0.25,"formulaToPointsTop10":0.5,"pointsToFormulaTop1":0.75,"pointsToFormulaTop10":0.9,"seconds":1.5,"step":200,"symbolicProbes":{"ncr":0.1}}"#
        let metrics = try JSONDecoder().decode(ValidationMetrics.self, from: Data(line.utf8))
        #expect(metrics.step == 200 && metrics.score == 0.5 && metrics.pointsToFormulaLargestHub == 0)
        #expect(metrics.summary.hasPrefix("step 200: look-alike top-1 points→formula 0.750, formula→points 0.250"))
        let again = try JSONDecoder().decode(ValidationMetrics.self, from: JSONEncoder().encode(metrics))
        #expect(again == metrics)
    }

    /// The retrieval rule averages top-1 and top-10 both ways, and decides which weights a
    /// run keeps.
    @Test func theRetrievalRuleCountsTopTen() throws {
        let a = ValidationMetrics(
            step: 1, pointsToFormulaTop1: 0.6, formulaToPointsTop1: 0.4, pointsToFormulaTop10: 0.7, formulaToPointsTop10: 0.5,
            pointsToFormulaLargestHub: 0, formulaToPointsLargestHub: 0, symbolicProbes: [:], seconds: 0)
        let b = ValidationMetrics(
            step: 2, pointsToFormulaTop1: 0.5, formulaToPointsTop1: 0.45, pointsToFormulaTop10: 0.9, formulaToPointsTop10: 0.8,
            pointsToFormulaLargestHub: 0, formulaToPointsLargestHub: 0, symbolicProbes: [:], seconds: 0)
        #expect(abs(a.score(by: .top1) - 0.5) < 1e-12 && abs(a.score(by: .retrieval) - 0.55) < 1e-12)
        #expect(a.score(by: .top1) > b.score(by: .top1) && b.score(by: .retrieval) > a.score(by: .retrieval))
        // the rule is recorded with the options and read back (absent in older runs: top1)
        var options = TinyTraining.options()
        options.validationRule = .retrieval
        let decoded = try JSONDecoder().decode(PretrainingOptions.self, from: JSONEncoder().encode(options))
        #expect(decoded.validationRule == .retrieval)
        let legacy = #"{"batchSize":4,"learningRate":0.001,"warmup":3,"clipNorm":0.5,"temperature":1,"checkpointEvery":2}"#
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: Data(legacy.utf8)).validationRule == .top1)
    }

    @Test func tooFewFunctionsAreRefused() {
        #expect(throws: ModelError.self) { try TrainingValidation(samples: Array(Self.heldOut().prefix(5))) }
    }

    /// The run measures its starting weights and every `validateEvery` steps, logs each, and
    /// `best.safetensors` holds the weights of the best score (the first of equal ones); a
    /// resumed run drops the log lines of lost steps and keeps competing against the best.
    @Test func theRunKeepsItsBestWeights() throws {
        let directory = freshTemporaryPath("run-validated")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = RandomTokens(seed: 4, vocabulary: VocabularyLayout(config: Self.config))
        let validation = try TrainingValidation(samples: Self.heldOut())
        let trainer = try Pretrainer(
            model: SNIPModel(config: Self.config, seed: 6), options: Self.options(validateEvery: 2), directory: directory,
            seed: 4, dataDescription: "random")
        var heard: [(Int, Bool)] = []
        #expect(try trainer.train(data: data, steps: 6, validation: validation, validated: { heard.append(($0.step, $1)) }) == .finished)
        let lines = try String(contentsOfFile: trainer.run.validationPath, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(ValidationMetrics.self, from: Data($0.utf8)) }
        #expect(lines.map(\.step) == [0, 2, 4, 6])
        #expect(heard.map(\.0) == [0, 2, 4, 6] && heard[0].1)
        let best = try #require(lines.max { $0.score < $1.score || ($0.score == $1.score && $0.step > $1.step) })
        let recorded = try #require(Pretrainer.recordedValidation(at: trainer.run.bestModelPath))
        #expect(recorded == best)
        #expect(trainer.bestValidation == best)
        // the file holds those weights: measuring it again gives the same figures
        let reloaded = try SNIPModel.load(trainer.run.bestModelPath)
        let again = try validation.measure(reloaded, step: best.step)
        #expect(again.pointsToFormulaTop1 == best.pointsToFormulaTop1 && again.formulaToPointsTop1 == best.formulaToPointsTop1)

        // resumed at the checkpoint of step 6, it continues the log and the competition
        let (resumed, _) = try Pretrainer.resume(directory: directory)
        #expect(try resumed.train(data: data, steps: 8, validation: validation) == .finished)
        let steps = try String(contentsOfFile: trainer.run.validationPath, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(ValidationMetrics.self, from: Data($0.utf8)).step }
        #expect(steps == [0, 2, 4, 6, 8])
        #expect(try #require(resumed.bestValidation).score >= best.score)
    }

    /// After one update the average is decay · w₀ + (1 − decay) · w₁, written to
    /// `average.safetensors` with the checkpoint, and a resumed run continues it exactly.
    @Test func theMovingAverageOfTheWeights() throws {
        let whole = freshTemporaryPath("run-average-whole")
        let parts = freshTemporaryPath("run-average-parts")
        defer {
            try? FileManager.default.removeItem(atPath: whole)
            try? FileManager.default.removeItem(atPath: parts)
        }
        let data = RandomTokens(seed: 8, vocabulary: VocabularyLayout(config: Self.config))
        let start = try SNIPModel(config: Self.config, seed: 9).namedParameters().map { $0.parameter.value.scalars }
        var options = Self.options(validateEvery: 0, average: 0.75)
        options.checkpointEvery = 1
        let one = try Pretrainer(model: SNIPModel(config: Self.config, seed: 9), options: options, directory: whole, seed: 8, dataDescription: "random")
        #expect(try one.train(data: data, steps: 1) == .finished)
        let trained = one.model.namedParameters().map { $0.parameter.value.scalars }
        let average = try SNIPModel.load(one.run.averageModelPath).namedParameters().map { $0.parameter.value.scalars }
        var moved = false
        for ((w0, w1), a) in zip(zip(start, trained), average) {
            for i in w0.indices {
                #expect(abs(a[i] - (0.75 * w0[i] + 0.25 * w1[i])) <= 1e-6 * max(1, abs(w0[i])))
                if w0[i] != w1[i] { moved = true }
            }
        }
        #expect(moved)
        // the model keeps its own weights (the average is only swapped in to save or validate)
        #expect(one.model.namedParameters().map { $0.parameter.value.scalars } == trained)

        // 5 steps at once, and 2 + 3 with a resume between, give the same average
        #expect(try one.train(data: data, steps: 5) == .finished)
        let b = try Pretrainer(model: SNIPModel(config: Self.config, seed: 9), options: options, directory: parts, seed: 8, dataDescription: "random")
        #expect(try b.train(data: data, steps: 2) == .finished)
        let (c, _) = try Pretrainer.resume(directory: parts)
        #expect(try c.train(data: data, steps: 5) == .finished)
        let x = try SNIPModel.load(one.run.averageModelPath).namedParameters()
        let y = try SNIPModel.load(c.run.averageModelPath).namedParameters()
        for ((key, p), (_, q)) in zip(x, y) { #expect(p.value.scalars == q.value.scalars, "\(key)") }
        #expect(zip(x, one.model.namedParameters()).contains { $0.0.parameter.value.scalars != $0.1.parameter.value.scalars })
    }
}
