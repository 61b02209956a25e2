import Foundation
import SnipMath
import SnipModel
import SnipTensor
import TestSupport
import Testing

/// Keeping fewer learned positions (`SNIPModel.trimmed(positions:)`, `snip convert --positions`).
struct ModelPositionsTests {
    static var config: ModelConfig {
        var config = TinyTraining.config
        config.maxPoints = 20
        config.expressionPadding = 20
        config.positions = 64
        return config
    }

    static func sample(_ prefix: String, points: Int) throws -> Sample {
        let tree = try Expression(prefix: prefix)
        let x = (0..<points).map { [Double($0) / Double(points) - 0.5] }
        return Sample(
            tree: tree, x: x, y: try tree.evaluate(rows: x),
            info: SampleInfo(inputPointCount: points, unaryOperatorCount: 0, binaryOperatorCount: 1, inputDimension: 1,
                             outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
            skeletonTokens: [])
    }

    /// The trimmed model embeds what the model embeds, bit for bit, with fewer parameters and
    /// the same contract; an input longer than the smaller table admits is refused, not read.
    @Test func theTrimmedModelComputesWhatTheModelDid() throws {
        let model = try SNIPModel(config: Self.config, seed: 4)
        model.contract.normalizesY = true
        let trimmed = try model.trimmed(positions: 24)
        #expect(trimmed.config.positions == 24 && trimmed.contract.normalizesY)
        #expect(model.parameterCount - trimmed.parameterCount == (64 - 24) * 16 * 2)
        let samples = [try Self.sample("add,x_0,1", points: 20), try Self.sample("mul,x_0,x_0", points: 7)]
        let before = try #require(try model.embed(samples))
        let after = try #require(try trimmed.embed(samples))
        #expect(after.symbolic?.scalars == before.symbolic?.scalars)
        #expect(after.numeric?.scalars == before.numeric?.scalars)

        let long = try Self.sample("add,x_0,1", points: 30)  // beyond 24 positions
        #expect(try model.embed([long], side: .numeric) != nil)
        #expect(throws: EmbeddingError.self) { try trimmed.embed([long], side: .numeric) }

        // saved and loaded: the smaller table and the same embeddings
        let path = freshTemporaryPath("trimmed.safetensors")
        defer { unlink(path) }
        try trimmed.save(to: path)
        let loaded = try SNIPModel.load(path)
        #expect(loaded.config.positions == 24)
        #expect(try #require(try loaded.embed(samples)).symbolic?.scalars == before.symbolic?.scalars)
    }

    /// More positions than the model has, or fewer than its points or padded expressions need,
    /// are refused; the model's own count gives the model back.
    @Test func onlyCountsTheModelCanKeepAreAllowed() throws {
        let model = try SNIPModel(config: Self.config, seed: 4)
        #expect(model.fewestPositions == 20)
        for bad in [65, 19, 0] {
            #expect(throws: ModelError.self) { try model.trimmed(positions: bad) }
        }
        #expect(try model.trimmed(positions: 64) === model)
        #expect(try model.trimmed(positions: 20).config.positions == 20)
    }
}
