import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

struct ModelContractTests {
    static let config = ModelConfig(maxInputDimension: 1, width: 16, layers: 1, heads: 2, latent: 8, pointTokenWidth: 4)

    @Test func theContractTravelsWithTheWeights() throws {
        let path = freshTemporaryPath("contract-model.safetensors")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try SNIPModel(config: Self.config, seed: 1)
        #expect(model.contract == ModelContract())
        model.contract = ModelContract(normalizesY: true, skeleton: true, similarity: .cosine)
        try model.save(to: path)
        #expect(try SNIPModel.load(path).contract == model.contract)
    }

    /// A model that sorts points reads any order of the same points alike; one that does not
    /// (the reference's contract) sees a different sequence. Older contracts read as unsorted.
    @Test func aSortingModelIgnoresThePointOrder() throws {
        let model = try SNIPModel(config: Self.config, seed: 4)
        let xs: [Double] = [0.3, -0.8, 0.9, 0.1, -0.2, 0.6]
        let tree = try Expression(prefix: "mul,x_0,x_0")
        func sample(_ order: [Int]) throws -> Sample {
            Sample(
                tree: tree, x: order.map { [xs[$0]] }, y: try tree.evaluate(rows: order.map { [xs[$0]] }),
                info: SampleInfo(inputPointCount: xs.count, unaryOperatorCount: 0, binaryOperatorCount: 0, inputDimension: 1,
                                 outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
                skeletonTokens: [])
        }
        let drawn = try sample(Array(0..<6))
        let shuffled = try sample([4, 2, 5, 0, 3, 1])
        func numeric() throws -> [[Float]] {
            try #require(try model.embed([drawn, shuffled], side: .numeric)).rows
        }
        let unsorted = try numeric()
        #expect(unsorted[0] != unsorted[1])
        model.contract.sortsPoints = true
        let sorted = try numeric()
        #expect(sorted[0] == sorted[1])
        #expect(model.contract.summary.hasSuffix(", points sorted by x"))
        let old = Data(#"{"normalizesY":true,"skeleton":false,"similarity":"dot"}"#.utf8)
        #expect(try JSONDecoder().decode(ModelContract.self, from: old) == ModelContract(normalizesY: true))
        #expect(try JSONDecoder().decode(ModelContract.self, from: JSONEncoder().encode(model.contract)) == model.contract)
    }

    /// Generated training data with sorted points: the same functions, points in x order.
    @Test func sortedTrainingDataSortsEachFunction() throws {
        var spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false)
        let plain = try #require(try spec.trainingData(config: Self.config, seed: 2) as? GeneratedTrainingData)
        spec.sortPoints = true
        let sorted = try #require(try spec.trainingData(config: Self.config, seed: 2) as? GeneratedTrainingData)
        for (a, b) in zip(plain.samples(forStep: 1, count: 20), sorted.samples(forStep: 1, count: 20)) {
            #expect(a.tree == b.tree && b == a.sortedByInputs())
            #expect(zip(b.x, b.x.dropFirst()).allSatisfy { $0[0] <= $1[0] })
        }
        #expect(spec.description.hasSuffix(", points sorted"))
    }

    @Test func preparedScalesYOnlyWhenAsked() {
        let sample = Sample(
            tree: .variable(0), x: [[0], [1], [2]], y: [2, 4, 6],
            info: SampleInfo(inputPointCount: 3, unaryOperatorCount: 0, binaryOperatorCount: 0, inputDimension: 1,
                             outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
            skeletonTokens: [])
        #expect(ModelContract().prepared(sample).y == [2, 4, 6])
        let scaled = ModelContract(normalizesY: true).prepared(sample).y
        #expect(scaled[0] == 0 && abs(scaled[1] - 0.5) < 1e-9 && abs(scaled[2] - 1) < 1e-9)
    }

    @Test func legacyRunDescriptionsGiveTheirDataSettings() {
        let a = PretrainingDataSpec(legacyDescription: "generated: max input dimension 1, normalized y")
        #expect(a == PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false))
        let b = PretrainingDataSpec(legacyDescription: "generated: max input dimension 10, skeletons")
        #expect(b == PretrainingDataSpec(maxInputDimension: 10, normalizeY: false, skeleton: true))
        #expect(PretrainingDataSpec(legacyDescription: "files: a.prefix") == nil)
        #expect(a?.description == "generated: max input dimension 1, normalized y")
    }

    /// Settings recorded before straight lines could be thinned read as keeping them all; a
    /// recorded rate comes back, and one outside [0, 1] is refused.
    @Test func theStraightLineRateIsRecordedAndOlderRunsKeepEveryLine() throws {
        let old = Data(#"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false}"#.utf8)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: old).straightLineKeep == 1)
        let thinned = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, straightLineKeep: 0.2)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: JSONEncoder().encode(thinned)) == thinned)
        #expect(thinned.description == "generated: max input dimension 1, normalized y, straight lines kept with probability 0.2")
        let bad = Data(#"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false,"straightLineKeep":1.5}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PretrainingDataSpec.self, from: bad) }
    }

    /// Settings recorded before siblings existed have none; a recorded rate comes back and is
    /// described, and one outside [0, 1] is refused.
    @Test func theSiblingRateIsRecordedAndOlderRunsHaveNone() throws {
        let old = Data(#"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false}"#.utf8)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: old).siblingRate == 0)
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, siblingRate: 0.5)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: JSONEncoder().encode(spec)) == spec)
        #expect(spec.description == "generated: max input dimension 1, normalized y, siblings with probability 0.5")
        let bad = Data(#"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false,"siblingRate":-0.1}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PretrainingDataSpec.self, from: bad) }
    }

    /// Thinning straight lines changes the mix of the generated batches, and only that: the
    /// same seed gives the same batch, curved functions come through as drawn, and about half
    /// of the generator's own 1-D functions are straight lines.
    @Test func thinnedDataDrawsFewerStraightLines() throws {
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false)
        var thin = spec
        thin.straightLineKeep = 0
        let all = try #require(try spec.trainingData(config: Self.config, seed: 5) as? GeneratedTrainingData)
        let few = try #require(try thin.trainingData(config: Self.config, seed: 5) as? GeneratedTrainingData)
        let plain = all.samples(forStep: 3, count: 200)
        let thinned = few.samples(forStep: 3, count: 200)
        let straight = plain.filter { $0.isStraightLine() }.count
        #expect(straight > 60 && straight < 140)
        #expect(thinned.filter { $0.isStraightLine() }.isEmpty)
        #expect(thinned == few.samples(forStep: 3, count: 200))
        // a function that was curved on its first draw is the same function in both
        for (a, b) in zip(plain, thinned) where !a.isStraightLine() { #expect(a == b) }
    }

    /// A run's data settings and objective come back from its directory, whatever the resuming
    /// caller would have chosen, and resuming replays the uninterrupted run exactly (the learned
    /// scale and bias included).
    @Test func resumeRebuildsTheRunsDataAndObjective() throws {
        let whole = freshTemporaryPath("contract-whole")
        let parts = freshTemporaryPath("contract-parts")
        defer {
            try? FileManager.default.removeItem(atPath: whole)
            try? FileManager.default.removeItem(atPath: parts)
        }
        var options = PretrainingOptions()
        options.batchSize = 3
        options.learningRate = 1e-3
        options.warmup = 2
        options.checkpointEvery = 2
        options.objective = .siglip
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false)
        let a = try Pretrainer(model: SNIPModel(config: Self.config, seed: 2), options: options, directory: whole, seed: 9, data: spec)
        #expect(try a.train(data: spec.trainingData(config: Self.config, seed: 9), steps: 4) == .finished)

        let b = try Pretrainer(model: SNIPModel(config: Self.config, seed: 2), options: options, directory: parts, seed: 9, data: spec)
        #expect(try b.train(data: spec.trainingData(config: Self.config, seed: 9), steps: 2) == .finished)
        let (c, seed) = try Pretrainer.resume(directory: parts)
        #expect(seed == 9)
        #expect(c.dataSpec == spec)
        #expect(c.options.objective == .siglip)
        #expect(c.model.contract == ModelContract(normalizesY: true, skeleton: false, similarity: .cosine))
        #expect(c.loss.parameters.map { $0.parameter.value.scalars } == b.loss.parameters.map { $0.parameter.value.scalars })
        #expect(try c.train(data: c.dataSpec!.trainingData(config: Self.config, seed: seed), steps: 4) == .finished)

        let lossesA = try a.run.metrics().map { $0["loss"] as! Double }
        let lossesC = try c.run.metrics().map { $0["loss"] as! Double }
        #expect(lossesA.count == 4 && lossesA == lossesC)
        #expect(a.loss.parameters.map { $0.parameter.value.scalars } == c.loss.parameters.map { $0.parameter.value.scalars })
        #expect(a.loss.parameters[0].parameter.value.scalars != [Float(log(10.0))])  // the scale moved
        // the checkpoint tells every consumer how to read inputs
        #expect(try SNIPModel.load(c.run.checkpointPath).contract.normalizesY)
    }
}
