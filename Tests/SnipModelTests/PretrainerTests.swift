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
