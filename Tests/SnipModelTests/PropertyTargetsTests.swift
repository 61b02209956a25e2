import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// The auxiliary property targets of pre-training (`--property-weight`): the standardised
/// properties, their loss, the batches that carry them and runs that train on them.
@Suite struct PropertyTargetsTests {
    static let config = TinyTraining.config

    static func sample(_ prefix: String, points: Int = 21) throws -> Sample {
        let tree = try Expression(prefix: prefix)
        let x = (0..<points).map { [-1 + 2 * Double($0) / Double(max(points - 1, 1))] }
        let y = try tree.evaluate(columns: [x.map { $0[0] }])
        return Sample(
            tree: tree, x: x, y: Sample.minMaxScaled(y),
            info: SampleInfo(
                inputPointCount: points, unaryOperatorCount: 0, binaryOperatorCount: 1, inputDimension: 1,
                outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
            skeletonTokens: [])
    }

    /// x² on 21 even points in [−1, 1]: convex (ncr 0), 10 steps down and 10 up (upward 0),
    /// one change of direction (oscil ln 2), mean of the scaled y = Σ k²/100 over k = −10…10 / 21.
    @Test func theTargetsAreTheStandardisedPropertiesOfThePoints() throws {
        let t = PropertyTargets.targets(of: try Self.sample("pow2,x_0"), seed: 1)
        let squares: [Double] = (-10...10).map { k in Double(k * k) / 100 }
        let yavg: Double = squares.reduce(0, +) / 21
        let expected: [Double] = [-0.5 / 0.27, 0, (yavg - 0.5) / 0.21, log(2.0) - 0.5]
        #expect(t.count == 4)
        for (a, b) in zip(t, expected) { #expect(abs(Double(a) - b) < 1e-5, "\(t) against \(expected)") }
        // a straight line rises at every step: upward 20/21, no direction change
        let line = PropertyTargets.targets(of: try Self.sample("mul,2.0,x_0"), seed: 1)
        #expect(abs(Double(line[1]) - (20.0 / 21) / 0.6) < 1e-5)
        #expect(abs(Double(line[3]) - (0 - 0.5)) < 1e-6)
        // too few points for ncr: the centre everywhere
        #expect(PropertyTargets.targets(of: try Self.sample("pow2,x_0", points: 2), seed: 1) == [0, 0, 0, 0])
    }

    /// The loss is the mean squared error over both embeddings and the four properties, and
    /// the shares of a batch's slices (each divided by the whole batch) add up to the whole's.
    @Test func theLossIsTheMeanSquaredErrorAndSlicesAddUp() throws {
        var generator = SeededGenerator(seed: 3)
        let head = PropertyHead(latent: 3, hidden: 5, outputs: 4, using: &generator)
        let symbolic = Tensor((0..<12).map { Float($0 % 5) - 1.5 }, shape: [4, 3])
        let numeric = Tensor((0..<12).map { Float($0 % 7) * 0.3 - 1 }, shape: [4, 3])
        let targets: [Float] = (0..<16).map { Float($0) / 8 - 1 }
        let whole = PropertyTargets.loss(head: head, symbolic: symbolic, numeric: numeric, targets: targets, globalBatch: 4)
        var squares = 0.0
        for z in [symbolic, numeric] {
            let predicted = head(unitRows(z)).scalars
            for (p, t) in zip(predicted, targets) { squares += Double(p - t) * Double(p - t) }
        }
        #expect(abs(Double(whole.item) - squares / 32) < 1e-5)
        let first = PropertyTargets.loss(
            head: head, symbolic: symbolic.sliced(axis: 0, 0..<1), numeric: numeric.sliced(axis: 0, 0..<1),
            targets: Array(targets[0..<4]), globalBatch: 4)
        let rest = PropertyTargets.loss(
            head: head, symbolic: symbolic.sliced(axis: 0, 1..<4), numeric: numeric.sliced(axis: 0, 1..<4),
            targets: Array(targets[4...]), globalBatch: 4)
        #expect(abs(Double(first.item + rest.item) - Double(whole.item)) < 1e-5)

        // shares multiply each property's squared errors
        let shares = [0.0, 1, 4, 0.5]
        let shared = PropertyTargets.loss(
            head: head, symbolic: symbolic, numeric: numeric, targets: targets, globalBatch: 4, shares: shares)
        var weighted = 0.0
        for z in [symbolic, numeric] {
            let predicted = head(unitRows(z)).scalars
            for (i, (p, t)) in zip(predicted, targets).enumerated() { weighted += shares[i % 4] * Double(p - t) * Double(p - t) }
        }
        #expect(abs(Double(shared.item) - weighted / 32) < 1e-5)
        #expect(abs(Double(shared.item) - Double(whole.item)) > 1e-3)  // the shares changed it
        let ones = PropertyTargets.loss(
            head: head, symbolic: symbolic, numeric: numeric, targets: targets, globalBatch: 4, shares: [1, 1, 1, 1])
        #expect(abs(Double(ones.item) - Double(whole.item)) < 1e-6)
    }

    /// Generated batches carry one row of targets per example when asked, the same for a slice
    /// as for the whole batch, and none otherwise.
    @Test func generatedBatchesCarryTheTargetsOfTheirFunctions() throws {
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, straightLineKeep: 0.2)
        let data = try #require(try spec.trainingData(config: Self.config, seed: 4, propertyTargets: true) as? GeneratedTrainingData)
        for lookAlikes in [false, true] {
            let whole = try data.batch(forStep: 2, count: 8, lookAlikes: lookAlikes)
            let targets = try #require(whole.properties)
            #expect(targets.count == 32)
            #expect(Set(targets).count > 8)  // the functions differ
            let slice = try data.batch(forStep: 2, count: 8, slice: 3..<6, lookAlikes: lookAlikes)
            #expect(slice.properties == Array(targets[12..<24]))
            // they are the properties of the batch's functions (ncr's estimate aside)
            let samples = data.samples(forStep: 2, count: 8)
            for (i, sample) in samples.enumerated() {
                let own = PropertyTargets.targets(of: sample, seed: 0)
                #expect(Array(targets[(4 * i + 1)..<(4 * i + 4)]) == Array(own[1...]))
            }
        }
        let plain = try spec.trainingData(config: Self.config, seed: 4)
        #expect(try plain.batch(forStep: 2, count: 8, lookAlikes: true).properties == nil)
        #expect(throws: ModelError.self) {
            try PretrainingDataSpec(maxInputDimension: 2, normalizeY: false, skeleton: false)
                .trainingData(config: Self.config, seed: 4, propertyTargets: true)
        }
    }

    /// Generated 1-D data with property targets and tiny-run options with a property weight.
    static func propertyRun() throws -> (PretrainingDataSpec, any TrainingData, PretrainingOptions) {
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false)
        var options = TinyTraining.options()
        options.propertyWeight = 1
        return (spec, try spec.trainingData(config: Self.config, seed: 6, propertyTargets: true), options)
    }

    /// A run with a property weight trains the head with the encoders, logs the property loss,
    /// and resumes it exactly; a run without one that is continued with a weight (its settings
    /// edited) starts the head fresh.
    @Test func runsTrainTheHeadAndResumeIt() throws {
        let (spec, data, options) = try Self.propertyRun()
        let whole = freshTemporaryPath("aux-whole")
        let parts = freshTemporaryPath("aux-parts")
        defer {
            try? FileManager.default.removeItem(atPath: whole)
            try? FileManager.default.removeItem(atPath: parts)
        }
        let a = try Pretrainer(model: SNIPModel(config: Self.config, seed: 2), options: options, directory: whole, seed: 6, data: spec)
        let head = try #require(a.propertyTargetHead)
        let before = head.parameters.map(\.value.scalars)
        #expect(try a.train(data: data, steps: 4) == .finished)
        #expect(head.parameters.map(\.value.scalars) != before)
        let logged = try a.run.metrics().compactMap { $0["propertyLoss"] as? Double }
        #expect(logged.count == 4 && logged.allSatisfy { $0 > 0 && $0.isFinite })

        let b = try Pretrainer(model: SNIPModel(config: Self.config, seed: 2), options: options, directory: parts, seed: 6, data: spec)
        var calls = 0
        #expect(try b.train(data: data, steps: 4, shouldStop: { calls += 1; return calls > 2 }) == .interrupted)
        let (c, _) = try Pretrainer.resume(directory: parts)
        #expect(try c.train(data: data, steps: 4) == .finished)
        #expect(try a.run.metrics().map { $0["loss"] as! Double } == c.run.metrics().map { $0["loss"] as! Double })
        let resumedHead = try #require(c.propertyTargetHead)
        #expect(resumedHead.parameters.map(\.value.scalars) == head.parameters.map(\.value.scalars))

        // data without targets cannot feed such a run
        let (d, _) = try Pretrainer.resume(directory: parts)
        #expect(throws: ModelError.self) { try d.train(data: try spec.trainingData(config: Self.config, seed: 6), steps: 5) }
    }

    /// A new run initialised from a training checkpoint starts its head from the checkpoint's
    /// (not from fresh weights); a model file without one leaves the fresh head alone.
    @Test func aRunInitialisedFromACheckpointCarriesItsHead() throws {
        let (spec, data, options) = try Self.propertyRun()
        let first = freshTemporaryPath("aux-first")
        let second = freshTemporaryPath("aux-second")
        let third = freshTemporaryPath("aux-third")
        let fourth = freshTemporaryPath("aux-fourth")
        defer { for path in [first, second, third, fourth] { try? FileManager.default.removeItem(atPath: path) } }
        let a = try Pretrainer(model: SNIPModel(config: Self.config, seed: 2), options: options, directory: first, seed: 6, data: spec)
        #expect(try a.train(data: data, steps: 2) == .finished)
        let trained = try #require(a.propertyTargetHead).parameters.map(\.value.scalars)

        let checkpoint = a.run.checkpointPath
        let b = try Pretrainer(model: SNIPModel.load(checkpoint), options: options, directory: second, seed: 9, data: spec)
        let fresh = try #require(b.propertyTargetHead).parameters.map(\.value.scalars)
        #expect(fresh != trained)
        #expect(try b.carryPropertyTargetHead(from: checkpoint))
        #expect(try #require(b.propertyTargetHead).parameters.map(\.value.scalars) == trained)

        let modelFile = freshTemporaryPath("aux-model.safetensors")
        defer { unlink(modelFile) }
        try a.model.save(to: modelFile)
        let c = try Pretrainer(model: SNIPModel.load(modelFile), options: options, directory: third, seed: 9, data: spec)
        #expect(try !c.carryPropertyTargetHead(from: modelFile))
        #expect(try #require(c.propertyTargetHead).parameters.map(\.value.scalars) == fresh)

        // a model file that keeps the run's head (as `snip convert --training-head-from` writes
        // it) loads as the same model and carries the head
        let withHead = freshTemporaryPath("aux-model-head.safetensors")
        defer { unlink(withHead) }
        try a.model.save(to: withHead, extraTensors: try Pretrainer.propertyTargetHeadTensors(in: checkpoint))
        #expect(try SNIPModel.load(withHead).parameterCount == a.model.parameterCount)
        let d = try Pretrainer(model: SNIPModel.load(withHead), options: options, directory: fourth, seed: 9, data: spec)
        #expect(try d.carryPropertyTargetHead(from: withHead))
        #expect(try #require(d.propertyTargetHead).parameters.map(\.value.scalars) == trained)
    }

    @Test func aRunWithoutTheHeadCanBeContinuedWithIt() throws {
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false)
        let directory = freshTemporaryPath("aux-added")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let a = try Pretrainer(
            model: SNIPModel(config: Self.config, seed: 2), options: TinyTraining.options(), directory: directory, seed: 6, data: spec)
        #expect(a.propertyTargetHead == nil)
        #expect(try a.train(data: try spec.trainingData(config: Self.config, seed: 6), steps: 2) == .finished)
        // the settings gain a property weight, as a study arm copied from a run does
        let settingsPath = directory + "/run.json"
        var settings = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: settingsPath))) as? [String: Any])
        var options = try #require(settings["options"] as? [String: Any])
        options["propertyWeight"] = 0.5
        settings["options"] = options
        try JSONSerialization.data(withJSONObject: settings).write(to: URL(fileURLWithPath: settingsPath))
        let (b, _) = try Pretrainer.resume(directory: directory)
        #expect(b.options.propertyWeight == 0.5)
        let head = try #require(b.propertyTargetHead)
        #expect(b.optimizer.moments.suffix(head.parameters.count).allSatisfy { $0.step == 0 })
        #expect(b.optimizer.moments.first?.step == 2)
        for ((key, p), (_, q)) in zip(a.model.namedParameters(), b.model.namedParameters()) {
            #expect(p.value.scalars == q.value.scalars, "\(key)")
        }
        #expect(try b.train(data: try spec.trainingData(config: Self.config, seed: 6, propertyTargets: true), steps: 3) == .finished)
        #expect(b.optimizer.moments.suffix(head.parameters.count).allSatisfy { $0.step == 1 })
        // and the checkpoint now holds the head: a second resume restores it
        let (c, _) = try Pretrainer.resume(directory: directory)
        #expect(try #require(c.propertyTargetHead).parameters.map(\.value.scalars) == head.parameters.map(\.value.scalars))
    }

    @Test func optionsWithoutAPropertyWeightReadAsNone() throws {
        let encoded = try JSONEncoder().encode(PretrainingOptions())
        var object = try #require(JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        object.removeValue(forKey: "propertyWeight")
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: object)).propertyWeight == 0)
        object["propertyWeight"] = -1
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }

    /// A run's shares reach its loss: with yavg's share alone (the others 0) the logged
    /// property loss of the same first step is above 0 and below the equal-share loss.
    @Test func aRunsSharesWeighItsPropertyLoss() throws {
        let (spec, data, options) = try Self.propertyRun()
        var yavgOnly = options
        yavgOnly.propertyShares = [0, 0, 1, 0]
        var firstLosses: [Double] = []
        for o in [options, yavgOnly] {
            let directory = freshTemporaryPath("aux-shares")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let run = try Pretrainer(model: SNIPModel(config: Self.config, seed: 2), options: o, directory: directory, seed: 6, data: spec)
            #expect(try run.train(data: data, steps: 1) == .finished)
            firstLosses.append(try #require(run.run.metrics().first?["propertyLoss"] as? Double))
        }
        #expect(firstLosses[1] > 0 && firstLosses[1] < firstLosses[0], "\(firstLosses)")
    }

    /// Shares round-trip through run.json, are absent when not set, and bad ones do not load.
    @Test func propertySharesAreRecordedAndChecked() throws {
        var options = PretrainingOptions()
        options.propertyWeight = 4
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: JSONEncoder().encode(options)).propertyShares == nil)
        options.propertyShares = [1, 1, 4, 1]
        let encoded = try JSONEncoder().encode(options)
        #expect(try JSONDecoder().decode(PretrainingOptions.self, from: encoded).propertyShares == [1, 1, 4, 1])
        var object = try #require(JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        for bad: [Double] in [[1, 1, 4], [1, -1, 1, 1]] {
            object["propertyShares"] = bad
            #expect(throws: DecodingError.self) {
                try JSONDecoder().decode(PretrainingOptions.self, from: JSONSerialization.data(withJSONObject: object))
            }
        }
    }
}
