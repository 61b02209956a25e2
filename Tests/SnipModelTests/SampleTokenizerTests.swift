import Foundation
import SnipMath
import SnipModel
import SnipTensor
import Testing
import TestSupport

/// Token ids built from samples equal the ids the reference fed its model (forward.json).
struct SampleTokenizerTests {
    static func sample(_ record: Golden) throws -> Sample {
        let x = record["x"].array.map { $0.doubles }
        let y = record["y"].array.map { $0.doubles[0] }
        let info = SampleInfo(
            inputPointCount: x.count, unaryOperatorCount: 0, binaryOperatorCount: 0, inputDimension: 1,
            outputDimension: 1, inputDistributionType: 0, centroidCount: 1)
        return Sample(tree: try Expression(prefix: record["prefix"].string), x: x, y: y, info: info, skeletonTokens: [])
    }

    @Test func idsMatchTheReferenceBatch() throws {
        let forward = try Golden.load("forward.json", from: .module)
        let tokenizer = SampleTokenizer(config: .small())
        let lengths = forward["encoder_f_lengths"].ints
        for b in 0..<4 {
            let sample = try Self.sample(forward["samples"][b])
            let points = try tokenizer.pointIDs(sample)
            let expected = (0..<200).flatMap { forward["embedder_input_ids"][$0][b].ints }
            #expect(points == expected, "points of sample \(b)")
            let expression = try tokenizer.expressionIDs(sample)
            #expect(expression == (1..<(lengths[b] - 1)).map { forward["encoder_f_input_ids"][$0][b].int }, "expression \(b)")
            #expect(try sample.tree.encodedTokens() == forward["samples"][b]["tree_encoded"].array.map(\.string))
        }
    }

    /// Point ids found arithmetically equal the ids of the tokens' text, value by value,
    /// including the values only text can tokenize (zero, subnormals, huge exponents).
    @Test func pointIDsEqualTheTextPath() throws {
        let tokenizer = SampleTokenizer(config: .small(maxInputDimension: 2))
        var generator = SeededGenerator(seed: 23)
        var x: [[Double]] = []
        var y: [Double] = []
        for i in 0..<2_000 {
            let scale = pow(10, Double(Int.random(in: -40...40, using: &generator)))
            x.append([Double.random(in: -5...5, using: &generator) * scale, i % 3 == 0 ? 0 : -Double(i) / 7])
            y.append(i % 11 == 0 ? Double.leastNonzeroMagnitude : (i % 13 == 0 ? 1e-150 : Double.random(in: 0...1, using: &generator)))
        }
        let ids = try tokenizer.pointIDs(x: x, y: y)
        var expected: [Int] = []
        let outputPad = tokenizer.floatVocabulary.id(of: "<OUTPUT_PAD>")!
        for (row, value) in zip(x, y) {
            for v in row + [value] { expected += try tokenizer.floatVocabulary.ids(of: try tokenizer.floatTokenizer.encode(v)) }
            expected += [Int](repeating: outputPad, count: (tokenizer.config.maxOutputDimension - 1) * tokenizer.config.tokensPerScalar)
        }
        #expect(ids == expected)
    }

    @Test func inputsBeyondTheModelsDimensionAreRefused() throws {
        let tokenizer = SampleTokenizer(config: .small(maxInputDimension: 1))
        let info = SampleInfo(inputPointCount: 1, unaryOperatorCount: 0, binaryOperatorCount: 0, inputDimension: 2, outputDimension: 1, inputDistributionType: 0, centroidCount: 1)
        let sample = Sample(tree: try Expression(prefix: "add,x_0,x_1"), x: [[1, 2]], y: [3], info: info, skeletonTokens: [])
        #expect(throws: SampleTokenizer.Failure.self) { try tokenizer.pointIDs(sample) }
        // x_1 is not a word of the dimension-1 equation vocabulary
        do {
            _ = try tokenizer.expressionIDs(sample)
            Issue.record("x_1 accepted by a dimension-1 vocabulary")
        } catch {
            #expect(error.description.contains("x_1"))
        }
        let padded = SampleTokenizer(config: .small(maxInputDimension: 3))
        let ids = try padded.pointIDs(sample)
        #expect(ids.count == 3 * 4)
        #expect(ids[6..<9].allSatisfy { $0 == padded.floatVocabulary.id(of: "<INPUT_PAD>") })
    }

    @Test(arguments: 1...10)
    func vocabularyLayoutAgreesWithTheVocabularies(_ dimension: Int) {
        let config = ModelConfig.small(maxInputDimension: dimension)
        let layout = VocabularyLayout(config: config)
        let tokenizer = SampleTokenizer(config: config)
        #expect(layout.floatCount == tokenizer.floatVocabulary.count)
        #expect(layout.equationCount == tokenizer.equationVocabulary.count)
        #expect(layout.floatPadding == tokenizer.floatVocabulary.id(of: "<PAD>"))
        #expect(layout.equationEnd == tokenizer.equationVocabulary.id(of: "<EOS>"))
        #expect(layout.equationPadding == tokenizer.equationVocabulary.id(of: "<PAD>"))
    }
}
