import Foundation
import SnipMath
import SnipModel
import SnipTensor
import Testing

/// Training on part of each function's points (`--keep-points`): the kept points keep the
/// positions they have in the whole set, and everything else about the batch stays as drawn.
@Suite struct ThinnedPointsTests {
    static let config = ModelConfig(maxInputDimension: 1, width: 16, layers: 1, heads: 2, latent: 8, pointTokenWidth: 4)

    static func data(keep: Double) throws -> GeneratedTrainingData {
        let spec = PretrainingDataSpec(
            maxInputDimension: 1, normalizeY: true, skeleton: false, sortPoints: true, pointKeep: keep)
        return try #require(try spec.trainingData(config: config, seed: 5) as? GeneratedTrainingData)
    }

    /// Each example keeps half its points (rounded): a subset in the set's order whose tokens
    /// are the whole example's tokens at those positions; the formulas, the look-alike table
    /// and the property targets are those of the unthinned batch, and a step replays exactly,
    /// whole or sliced.
    @Test func aThinnedBatchIsTheWholeBatchWithPointsLeftOut() throws {
        let whole = try Self.data(keep: 1)
        let half = try Self.data(keep: 0.5)
        let perPoint = Self.config.tokensPerPoint
        let full = try whole.batch(forStep: 3, count: 16, lookAlikes: true)
        let thinned = try half.batch(forStep: 3, count: 16, lookAlikes: true)
        #expect(thinned.lookAlikes == full.lookAlikes)
        var positionSets = Set<[Int]>()
        for (a, b) in zip(full.examples, thinned.examples) {
            #expect(a.pointPositions == nil)
            #expect(b.expressionTokens == a.expressionTokens)
            let positions = try #require(b.pointPositions)
            let count = a.pointTokens.count / perPoint
            #expect(positions.count == Int((Double(count) * 0.5).rounded()))
            #expect(positions == positions.sorted() && Set(positions).count == positions.count)
            #expect(positions.allSatisfy { (0..<count).contains($0) })
            let expected = positions.flatMap { a.pointTokens[($0 * perPoint)..<(($0 + 1) * perPoint)] }
            #expect(b.pointTokens == expected)
            positionSets.insert(positions)
        }
        #expect(positionSets.count == 16)  // each example draws its own subset
        #expect(try half.batch(forStep: 3, count: 16, lookAlikes: true).examples == thinned.examples)
        let slice = try half.batch(forStep: 3, count: 16, slice: 5..<11, lookAlikes: false)
        #expect(slice.examples == Array(thinned.examples[5..<11]))
        #expect(try half.batch(forStep: 4, count: 16, lookAlikes: false).examples != thinned.examples)
    }

    /// The encoder reads each kept point at its recorded position: the same as a model whose
    /// position table has those rows moved to the front reading the subset in plain order, and
    /// positions 0, 1, … are what it uses without any.
    @Test func keptPointsAreEncodedAtTheirPositions() throws {
        let model = try SNIPModel(config: Self.config, seed: 7)
        let example = try #require(try Self.data(keep: 1).examples(forStep: 0, count: 1).first)
        let perPoint = Self.config.tokensPerPoint
        let count = example.pointTokens.count / perPoint
        let plain = model.encodeNumeric([example.pointTokens]).latent.scalars
        #expect(model.encodeNumeric([example.pointTokens], positions: [Array(0..<count)]).latent.scalars == plain)

        let kept = [1, 4, 5, 9, 17]
        let tokens = kept.flatMap { example.pointTokens[($0 * perPoint)..<(($0 + 1) * perPoint)] }
        let thinned = TrainingExample(expressionTokens: example.expressionTokens, pointTokens: tokens, pointPositions: kept)
        let atPositions = model.encodeNumeric([thinned]).latent.scalars
        #expect(atPositions != model.encodeNumeric([tokens]).latent.scalars)

        let moved = try SNIPModel(config: Self.config, seed: 7)
        let width = Self.config.width
        var table = moved.numericEncoder.positions.weight.value
        let original = table.scalars
        table.withUnsafeMutableBufferPointer { rows in
            for (row, position) in kept.enumerated() {
                for j in 0..<width { rows[row * width + j] = original[position * width + j] }
            }
        }
        moved.numericEncoder.positions.weight.value = table
        #expect(moved.encodeNumeric([tokens]).latent.scalars == atPositions)
    }

    /// The share is recorded with the run's data (older runs kept every point) and checked.
    @Test func theShareIsRecordedAndChecked() throws {
        let old = Data(#"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false}"#.utf8)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: old).pointKeep == 1)
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, pointKeep: 0.5)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: JSONEncoder().encode(spec)) == spec)
        #expect(spec.description == "generated: max input dimension 1, normalized y, 0.5 of each function's points")
        for bad in ["0", "-0.5", "1.5"] {
            let text = #"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false,"pointKeep":"# + bad + "}"
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(PretrainingDataSpec.self, from: Data(text.utf8)) }
        }
    }
}
