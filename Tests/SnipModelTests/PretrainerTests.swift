import Foundation
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

struct PretrainerTests {
    static let config = TinyTraining.config

    static func options() -> PretrainingOptions { TinyTraining.options() }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let data = RandomTokens(seed: 11, vocabulary: VocabularyLayout(config: Self.config))
        let whole = freshTemporaryPath("run-whole")
        let parts = freshTemporaryPath("run-parts")
        defer {
            try? FileManager.default.removeItem(atPath: whole)
            try? FileManager.default.removeItem(atPath: parts)
        }
        let a = try Pretrainer(model: SNIPModel(config: Self.config, seed: 5), options: Self.options(), directory: whole, seed: 11, dataDescription: "random")
        #expect(try a.train(data: data, steps: 7) == .finished)

        // the same run, stopped (as by Ctrl-C) after 3 steps, then resumed twice
        let b = try Pretrainer(model: SNIPModel(config: Self.config, seed: 5), options: Self.options(), directory: parts, seed: 11, dataDescription: "random")
        var calls = 0
        #expect(try b.train(data: data, steps: 7, shouldStop: { calls += 1; return calls > 3 }) == .interrupted)
        #expect(b.step == 3)
        let (c, seed) = try Pretrainer.resume(directory: parts)
        #expect(seed == 11 && c.step == 3)
        #expect(try c.train(data: data, steps: 5) == .finished)
        let (d, _) = try Pretrainer.resume(directory: parts)
        #expect(try d.train(data: data, steps: 7) == .finished)

        let lossesA = try a.run.metrics().map { $0["loss"] as! Double }
        let lossesB = try d.run.metrics().map { $0["loss"] as! Double }
        #expect(lossesA.count == 7)
        #expect(lossesA == lossesB)
        #expect(Set(lossesA).count > 1)  // it trains: the loss moves
        for ((key, p), (_, q)) in zip(a.model.namedParameters(), d.model.namedParameters()) {
            #expect(p.value.scalars == q.value.scalars, "\(key)")
        }
        #expect(a.optimizer.updates == 7 && d.optimizer.updates == 7)
    }

    /// A run with a cool-down anneals to 0 over its last updates and stops there; a run
    /// resumed with one starts the fall at its checkpoint, records it, and a later resume
    /// finishes the same fall.
    @Test func aCooldownEndsTheRun() throws {
        let data = RandomTokens(seed: 11, vocabulary: VocabularyLayout(config: Self.config))
        let planned = freshTemporaryPath("run-cool")
        let resumed = freshTemporaryPath("run-cool-resumed")
        defer {
            try? FileManager.default.removeItem(atPath: planned)
            try? FileManager.default.removeItem(atPath: resumed)
        }
        var options = Self.options()
        options.cooldown = .init(from: 4, steps: 3)
        let a = try Pretrainer(model: SNIPModel(config: Self.config, seed: 5), options: options, directory: planned, seed: 11, dataDescription: "random")
        #expect(a.finalStep(towards: 50) == 7)
        #expect(try a.train(data: data, steps: 50) == .finished)
        #expect(a.step == 7 && a.cooledDown)
        let rates = try a.run.metrics().map { $0["learningRate"] as! Double }
        let base = LearningRateSchedule.inverseSquareRoot(peak: options.learningRate, warmup: options.warmup)
        let expected = (0..<4).map { base.rate(after: $0) } + [1.0, 2.0 / 3, 1.0 / 3].map { base.rate(after: 4) * $0 }
        #expect(rates.count == 7)
        for (r, e) in zip(rates, expected) { #expect(Swift.abs(r - e) < 1e-12, "\(rates) against \(expected)") }

        // a plain run of 4 steps, then resumed with a cool-down of 3: the same rates and weights
        let b = try Pretrainer(model: SNIPModel(config: Self.config, seed: 5), options: Self.options(), directory: resumed, seed: 11, dataDescription: "random")
        #expect(try b.train(data: data, steps: 4) == .finished)
        let (c, _) = try Pretrainer.resume(directory: resumed, cooldown: 3)
        #expect(c.options.cooldown == .init(from: 4, steps: 3))
        var calls = 0
        #expect(try c.train(data: data, steps: 100, shouldStop: { calls += 1; return calls > 1 }) == .interrupted)
        #expect(c.step == 5)
        // the fall is recorded: a plain resume finishes it, a second cool-down is refused
        #expect(throws: ModelError.self) { try Pretrainer.resume(directory: resumed, cooldown: 2) }
        let (d, _) = try Pretrainer.resume(directory: resumed)
        #expect(d.options.cooldown == .init(from: 4, steps: 3) && d.finalStep(towards: 100) == 7)
        #expect(try d.train(data: data, steps: 100) == .finished)
        #expect(d.step == 7)
        #expect(try d.run.metrics().map { $0["learningRate"] as! Double } == rates)
        for ((key, p), (_, q)) in zip(a.model.namedParameters(), d.model.namedParameters()) {
            #expect(p.value.scalars == q.value.scalars, "\(key)")
        }
        // nothing is left to train
        let (e, _) = try Pretrainer.resume(directory: resumed)
        #expect(try e.train(data: data, steps: 100) == .finished)
        #expect(e.step == 7)
    }

    /// A run's linear precision is recorded (older runs read as float32), applies to its
    /// training steps (on a CPU with AVX-512 BF16 the losses move off the float32 run's, a
    /// little), and a resume can change it from there on.
    @Test func aRunRecordsItsProductPrecision() throws {
        let data = RandomTokens(seed: 11, vocabulary: VocabularyLayout(config: Self.config))
        let plain = freshTemporaryPath("run-float32")
        let half = freshTemporaryPath("run-bfloat16")
        defer {
            try? FileManager.default.removeItem(atPath: plain)
            try? FileManager.default.removeItem(atPath: half)
        }
        #expect(PretrainingOptions().productPrecision == .float32)
        var recorded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(PretrainingOptions())) as! [String: Any]
        #expect(recorded["productPrecision"] as? String == "float32")
        recorded["productPrecision"] = nil
        let older = try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: recorded))
        #expect(older.productPrecision == .float32)

        let a = try Pretrainer(model: SNIPModel(config: Self.config, seed: 5), options: Self.options(), directory: plain, seed: 11, dataDescription: "random")
        #expect(try a.train(data: data, steps: 4) == .finished)
        var options = Self.options()
        options.productPrecision = .bfloat16
        let b = try Pretrainer(model: SNIPModel(config: Self.config, seed: 5), options: options, directory: half, seed: 11, dataDescription: "random")
        #expect(try b.train(data: data, steps: 4) == .finished)
        let lossesA = try a.run.metrics().map { $0["loss"] as! Double }
        let lossesB = try b.run.metrics().map { $0["loss"] as! Double }
        #expect(lossesA.count == 4 && lossesB.count == 4)
        if ProductPrecision.bfloat16IsAvailable {
            #expect(lossesA != lossesB)
            for (p, q) in zip(lossesA, lossesB) { #expect(Swift.abs(p - q) < 0.05 * Swift.abs(p), "\(lossesA) against \(lossesB)") }
        } else {
            #expect(lossesA == lossesB)
        }
        #expect(Tensor.productPrecision == .float32)  // bound for the steps only

        let (c, _) = try Pretrainer.resume(directory: half)
        #expect(c.options.productPrecision == .bfloat16)
        let (d, _) = try Pretrainer.resume(directory: half, productPrecision: .float32)
        #expect(d.options.productPrecision == .float32)
        let (e, _) = try Pretrainer.resume(directory: half)
        #expect(e.options.productPrecision == .float32)
    }

    /// A run's starting logit scale is recorded and used; older runs read nil (the objective's
    /// own), and out-of-range values are refused when read.
    @Test func aRunRecordsItsStartingLogitScale() throws {
        var recorded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(PretrainingOptions())) as! [String: Any]
        #expect(recorded["initialLogitScale"] == nil)
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: recorded)).initialLogitScale == nil)
        recorded["initialLogitScale"] = 39.0
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: recorded)).initialLogitScale == 39)
        for bad in [0.0, -1.0, 101.0] {
            recorded["initialLogitScale"] = bad
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: recorded))
            }
        }
        let out = freshTemporaryPath("run-logit-scale")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = Self.options()
        options.objective = .clipNormalized
        options.initialLogitScale = 39
        let run = try Pretrainer(model: SNIPModel(config: Self.config, seed: 5), options: options, directory: out, seed: 11, dataDescription: "random")
        #expect(Swift.abs(Double(run.loss.parameters[0].parameter.value.scalars[0]) - Foundation.log(39)) < 1e-6)
        let (resumed, _) = try Pretrainer.resume(directory: out)
        #expect(resumed.options.initialLogitScale == 39)
    }

    /// A run that freezes the numeric side leaves the point embedder and encoder_y exactly as
    /// they started and trains encoder_f; older runs read as not frozen.
    @Test func aFrozenNumericSideKeepsItsWeights() throws {
        var recorded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(PretrainingOptions())) as! [String: Any]
        #expect(recorded["freezeNumeric"] as? Bool == false)
        recorded["freezeNumeric"] = nil
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: recorded)).freezeNumeric == false)
        let data = RandomTokens(seed: 11, vocabulary: VocabularyLayout(config: Self.config))
        let out = freshTemporaryPath("run-frozen-numeric")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = Self.options()
        options.freezeNumeric = true
        let model = try SNIPModel(config: Self.config, seed: 5)
        let before = model.namedParameters().map { ($0.key, $0.parameter.value.scalars) }
        let run = try Pretrainer(model: model, options: options, directory: out, seed: 11, dataDescription: "random")
        #expect(try run.train(data: data, steps: 3) == .finished)
        let after = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.key, $0.parameter.value.scalars) })
        var numeric = 0
        var symbolicChanged = 0
        for (key, values) in before {
            if key.hasPrefix("embedder.") || key.hasPrefix("encoder_y.") {
                numeric += 1
                let unchanged = after[key] == values
                #expect(unchanged, "\(key) moved")
            } else if key.hasPrefix("encoder_f."), after[key] != values {
                symbolicChanged += 1
            }
        }
        #expect(numeric > 0 && symbolicChanged > 0)
        let losses = try run.run.metrics().map { $0["loss"] as! Double }
        #expect(losses.count == 3 && losses.allSatisfy(\.isFinite))
        let (resumed, _) = try Pretrainer.resume(directory: out)
        #expect(resumed.options.freezeNumeric)
    }

    @Test func optionsWithoutACooldownReadAsNone() throws {
        var options = PretrainingOptions()
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: JSONEncoder().encode(options)).cooldown == nil)
        options.cooldown = .init(from: 10, steps: 5)
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: JSONEncoder().encode(options)).cooldown == options.cooldown)
        options.cooldown = .init(from: 10, steps: 0)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PretrainingOptions.self, from: JSONEncoder().encode(options))
        }
    }

    /// A schedule offset is recorded, read back (absent in older runs), shifts the schedule the
    /// optimiser follows, and keeps a cool-down's fall relative to it.
    @Test func aScheduleOffsetContinuesTheInverseSquareRoot() throws {
        var options = PretrainingOptions()
        options.learningRate = 1e-3
        options.warmup = 500
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: JSONEncoder().encode(options)).scheduleOffset == nil)
        options.scheduleOffset = 22_000
        let decoded = try JSONDecoder().decode(PretrainingOptions.self, from: JSONEncoder().encode(options))
        #expect(decoded.scheduleOffset == 22_000 && decoded.schedule == options.schedule)
        let continued = 1e-3 * (500.0 / 22_100).squareRoot()  // after the 100-update ramp
        #expect(Swift.abs(options.schedule.rate(after: 100) - continued) < 1e-12)
        #expect(Swift.abs(options.schedule.rate(after: 0) - 1e-3 * (500.0 / 22_000).squareRoot() / 100) < 1e-12)
        options.cooldown = .init(from: 200, steps: 10)
        #expect(Swift.abs(options.schedule.rate(after: 205) - 1e-3 * (500.0 / 22_200).squareRoot() / 2) < 1e-12)
        options.scheduleOffset = -1
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PretrainingOptions.self, from: JSONEncoder().encode(options))
        }
    }

    @Test func aNewRunRefusesAnExistingDirectory() throws {
        let directory = freshTemporaryPath("run-existing")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Pretrainer(model: SNIPModel(config: Self.config, seed: 1), options: Self.options(), directory: directory, seed: 1, dataDescription: "x")
        #expect(throws: ModelError.self) {
            try Pretrainer(model: SNIPModel(config: Self.config, seed: 1), options: Self.options(), directory: directory, seed: 1, dataDescription: "x")
        }
    }

    @Test func nonFiniteLossesAreSkippedAndCounted() throws {
        let model = try SNIPModel(config: Self.config, seed: 2)
        let adam = Adam(parameters: model.parameters, schedule: .constant(1e-3))
        let before = model.stateDict()
        let outcome = optimizationStep(parameters: model.parameters, optimizer: adam, clipNorm: 0.5) {
            model.encodeSymbolic([[20, 21]]).latent.sum() * Float.nan
        }
        #expect(outcome.skipped && outcome.loss.isNaN && adam.updates == 0)
        for (key, value) in model.stateDict() { #expect(value.scalars == before[key]!.scalars) }
    }
}
