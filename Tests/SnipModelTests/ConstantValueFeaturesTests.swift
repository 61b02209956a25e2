import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// Formula constants read from their values (`ModelConfig.constantValues`, `snip pretrain --constant-values`).
struct ConstantValueFeaturesTests {
    static var config: ModelConfig {
        var config = TinyTraining.config
        config.constantValues = true
        return config
    }

    /// The ids of `prefix` in `model`'s equation vocabulary.
    static func ids(_ prefix: String, _ model: SNIPModel) throws -> [Int] {
        let tokenizer = model.tokenizer
        return try tokenizer.equationVocabulary.ids(of: Expression(prefix: prefix).encodedTokens(tokenizer: tokenizer.floatTokenizer))
    }

    /// A new model computes what the reference layout with the same seed computes; once the map
    /// is not zero, the three tokens of each constant (and only they) get its value's features.
    @Test func theValuePartStartsAtZeroAndTouchesOnlyConstants() throws {
        let withValues = try SNIPModel(config: Self.config, seed: 6)
        let plain = try SNIPModel(config: TinyTraining.config, seed: 6)
        let width = TinyTraining.config.width
        #expect(withValues.parameterCount == plain.parameterCount + width * PointValueFeatures.featuresPerNumber)
        let formulas = try [Self.ids("mul,0.5,sin,x_0", withValues), Self.ids("add,x_0,-12.5", withValues)]
        #expect(formulas[0].count == 6 && formulas[1].count == 5)
        #expect(withValues.encodeSymbolic(formulas).latent.scalars == plain.encodeSymbolic(formulas).latent.scalars)

        let features = try #require(withValues.symbolicEncoder.constantFeatures)
        var weights = [Float](repeating: 0, count: features.weight.value.count)
        weights[0] = 1  // output 0 ← u = tanh(v / 2)
        features.weight.value = Tensor(weights, shape: features.weight.shape)
        let ids = formulas[0] + formulas[1]
        let parts = features(ids).scalars
        let firstColumn = (0..<ids.count).map { Double(parts[$0 * width]) }
        let expected = [0, tanh(0.25), tanh(0.25), tanh(0.25), 0, 0, 0, 0, tanh(-6.25), tanh(-6.25), tanh(-6.25)]
        for (a, b) in zip(firstColumn, expected) { #expect(abs(a - b) < 1e-6, "\(firstColumn)") }
        #expect(parts.enumerated().allSatisfy { $0.offset % width == 0 || $0.element == 0 })
        #expect(withValues.encodeSymbolic(formulas).latent.scalars != plain.encodeSymbolic(formulas).latent.scalars)
        #expect(withValues.numericEncoder.constantFeatures == nil)
    }

    /// Training moves the map, a saved model reads back with it, and configs without the field
    /// write nothing for it.
    @Test func trainingMovesTheMapAndFilesKeepIt() throws {
        let model = try SNIPModel(config: Self.config, seed: 2)
        var examples = try RandomTokens(seed: 3, vocabulary: model.vocabulary).examples(forStep: 0, count: 4)
        for i in examples.indices { examples[i].expressionTokens = try Self.ids("mul,\(Double(i) + 0.5),sin,x_0", model) }
        let adam = Adam(parameters: model.parameters, schedule: .constant(1e-2))
        _ = optimizationStep(parameters: model.parameters, optimizer: adam, clipNorm: 1) {
            clipLoss(
                symbolic: model.encodeSymbolic(examples.map(\.expressionTokens)).latent,
                numeric: model.encodeNumeric(examples).latent)
        }
        #expect(model.symbolicEncoder.constantFeatures?.weight.value.scalars.contains { $0 != 0 } == true)

        let path = freshTemporaryPath("constant-values.safetensors")
        defer { unlink(path) }
        try model.save(to: path)
        let loaded = try SNIPModel.load(path)
        #expect(loaded.config.constantValues == true && loaded.config.layoutOptionsSummary == ", constant values")
        let formulas = examples.map(\.expressionTokens)
        #expect(loaded.encodeSymbolic(formulas).latent.scalars == model.encodeSymbolic(formulas).latent.scalars)
        #expect(!String(decoding: try JSONEncoder().encode(TinyTraining.config), as: UTF8.self).contains("constantValues"))
    }
}
