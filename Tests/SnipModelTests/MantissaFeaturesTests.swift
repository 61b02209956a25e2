import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// Smooth mantissa embeddings (`ModelConfig.smoothMantissas`, `snip pretrain --smooth-mantissas`).
struct MantissaFeaturesTests {
    static var config: ModelConfig {
        var config = TinyTraining.config
        config.smoothMantissas = true
        return config
    }

    /// The features are those of the mantissa's value v = digits / 10^count; other words have none.
    @Test func mantissaWordsHaveFourierFeaturesOfTheirValue() throws {
        let half = try #require(MantissaFeatures.features(of: "N5000"))
        let expected: [Float] = [0, 1, 0, 0, -1, -1, 0, 0, 1]  // 2v−1, then sin/cos(πkv) for k = 1…4 at v = ½
        #expect(half.count == MantissaFeatures.featureCount)
        for (a, b) in zip(half, expected) { #expect(abs(a - b) < 1e-6, "\(half)") }
        let zero = try #require(MantissaFeatures.features(of: "N0000"))
        #expect(zero == [-1, 0, 1, 0, 1, 0, 1, 0, 1])
        let near = try #require(MantissaFeatures.features(of: "N2371"))
        let next = try #require(MantissaFeatures.features(of: "N2370"))
        let far = try #require(MantissaFeatures.features(of: "N9000"))
        func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        #expect(distance(near, next) < 1e-4 && distance(near, far) > 1)
        for word in ["E-3", "+", "-", "N", "add", "x_0", "<PAD>", "N-12"] {
            #expect(MantissaFeatures.features(of: word) == nil, "\(word)")
        }
    }

    /// A new model with smooth mantissas computes what the reference layout with the same seed
    /// computes (the smooth part starts at zero and draws nothing from the generator); the
    /// smooth part then moves only mantissa tokens.
    @Test func theSmoothPartStartsAtZeroAndTouchesOnlyMantissas() throws {
        let smooth = try SNIPModel(config: Self.config, seed: 6)
        let plain = try SNIPModel(config: TinyTraining.config, seed: 6)
        let width = TinyTraining.config.width
        #expect(smooth.parameterCount == plain.parameterCount + MantissaFeatures.featureCount * (width + TinyTraining.config.pointTokenWidth))
        let tokenizer = smooth.tokenizer
        let mantissa = try #require(tokenizer.equationVocabulary.id(of: "N2370"))
        let exponent = try #require(tokenizer.equationVocabulary.id(of: "E-3"))
        let expressions = [[20, 21, 22], [mantissa, exponent, 23]]
        let points = [Array(repeating: try #require(tokenizer.floatVocabulary.id(of: "N1234")), count: 12)]
        #expect(smooth.encodeSymbolic(expressions).latent.scalars == plain.encodeSymbolic(expressions).latent.scalars)
        #expect(smooth.encodeNumeric(points).latent.scalars == plain.encodeNumeric(points).latent.scalars)

        let features = try #require(smooth.symbolicEncoder.mantissaFeatures)
        features.weight.value = Tensor.full([width, MantissaFeatures.featureCount], value: 0.5)
        let parts = features([20, mantissa, exponent], shape: [3]).scalars
        #expect(parts[0..<width].allSatisfy { $0 == 0 } && parts[(2 * width)...].allSatisfy { $0 == 0 })
        #expect(parts[width..<(2 * width)].allSatisfy { $0 != 0 })
        #expect(smooth.encodeSymbolic(expressions).latent.scalars != plain.encodeSymbolic(expressions).latent.scalars)
    }

    /// Training moves both smooth parts, and a saved model reads back with them.
    @Test func trainingMovesTheSmoothPartsAndFilesKeepThem() throws {
        let model = try SNIPModel(config: Self.config, seed: 2)
        let data = RandomTokens(seed: 3, vocabulary: model.vocabulary)
        let mantissas = ["N2370", "N5000", "N9999", "N1000"].compactMap { model.tokenizer.equationVocabulary.id(of: $0) }
        let examples = try data.examples(forStep: 0, count: 4).enumerated().map { i, example in
            var withConstant = example  // random operator ids have no mantissa: give each one
            withConstant.expressionTokens.append(mantissas[i])
            return withConstant
        }
        let adam = Adam(parameters: model.parameters, schedule: .constant(1e-2))
        _ = optimizationStep(parameters: model.parameters, optimizer: adam, clipNorm: 1) {
            clipLoss(
                symbolic: model.encodeSymbolic(examples.map(\.expressionTokens)).latent,
                numeric: model.encodeNumeric(examples).latent)
        }
        let moved = [model.embedder.mantissaFeatures, model.symbolicEncoder.mantissaFeatures].map {
            $0?.weight.value.scalars.contains { $0 != 0 } ?? false
        }
        #expect(moved == [true, true])
        #expect(model.numericEncoder.mantissaFeatures == nil)

        let path = freshTemporaryPath("smooth-mantissas.safetensors")
        defer { unlink(path) }
        try model.save(to: path)
        let loaded = try SNIPModel.load(path)
        #expect(loaded.config.smoothMantissas == true)
        let expressions = examples.map(\.expressionTokens)
        #expect(loaded.encodeSymbolic(expressions).latent.scalars == model.encodeSymbolic(expressions).latent.scalars)
        #expect(loaded.encodeNumeric(examples).latent.scalars == model.encodeNumeric(examples).latent.scalars)

        // a config without the field writes nothing for it and reads it as nil
        let json = try JSONEncoder().encode(TinyTraining.config)
        #expect(!String(decoding: json, as: UTF8.self).contains("smoothMantissas"))
        #expect(try ModelConfig.decode(json: json, source: "test").smoothMantissas == nil)
    }
}
