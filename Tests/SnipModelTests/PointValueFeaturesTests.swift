import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// Point embeddings read from the numbers' values (`ModelConfig.pointValues`, `snip pretrain --point-values`).
struct PointValueFeaturesTests {
    static var config: ModelConfig {
        var config = TinyTraining.config
        config.pointValues = true
        return config
    }

    /// The features of a value: u = tanh(v/2), Fourier terms of u, and a signed log magnitude;
    /// values either side of an exponent boundary get nearly the same features.
    @Test func valuesHaveSmoothFeatures() throws {
        let zero = PointValueFeatures.features(of: 0)
        #expect(zero == [0, 0, 1, 0, 1, 0, 1, 0, 1, 0])
        let two = PointValueFeatures.features(of: -2)
        let u = tanh(-1.0)
        #expect(abs(Double(two[0]) - u) < 1e-6 && abs(Double(two[1]) - sin(Double.pi * u)) < 1e-6)
        #expect(abs(Double(two[9]) + log10(3.0) / 2) < 1e-6)
        for value in [-7.5, -0.3, 0.05, 1.0, 42.0] {
            let features = PointValueFeatures.features(of: value)
            let u = tanh(value / 2)
            for k in 1...4 {
                #expect(abs(Double(features[2 * k - 1]) - sin(Double.pi * Double(k) * u)) < 1e-6, "sin, k \(k), v \(value)")
                #expect(abs(Double(features[2 * k]) - cos(Double.pi * Double(k) * u)) < 1e-6, "cos, k \(k), v \(value)")
            }
        }
        func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        #expect(distance(PointValueFeatures.features(of: 0.0999), PointValueFeatures.features(of: 0.1)) < 1e-5)
        #expect(distance(PointValueFeatures.features(of: 0.1), PointValueFeatures.features(of: 0.9)) > 0.1)
    }

    /// A new model with point values computes what the reference layout with the same seed
    /// computes; once the map is not zero, a point's embedding follows its numbers' values, and
    /// padding contributes nothing.
    @Test func theValuePartStartsAtZeroAndReadsTheTokensValues() throws {
        let withValues = try SNIPModel(config: Self.config, seed: 6)
        let plain = try SNIPModel(config: TinyTraining.config, seed: 6)
        let width = TinyTraining.config.width
        let numbers = TinyTraining.config.tokensPerPoint / 3
        #expect(withValues.parameterCount == plain.parameterCount + width * numbers * PointValueFeatures.featuresPerNumber)
        let tokenizer = withValues.tokenizer
        let points = try [[0.0999, 0.5], [-1.25, 0.1]].map { point in
            try point.flatMap { try tokenizer.floatTokenizer.encode($0) }.map { try #require(tokenizer.floatVocabulary.id(of: $0)) }
        }
        #expect(withValues.encodeNumeric([points.flatMap { $0 }]).latent.scalars == plain.encodeNumeric([points.flatMap { $0 }]).latent.scalars)

        let features = try #require(withValues.embedder.valueFeatures)
        var weights = [Float](repeating: 0, count: features.weight.value.count)
        weights[0] = 1  // output 0 ← u of the first number
        weights[PointValueFeatures.featuresPerNumber * numbers + PointValueFeatures.featuresPerNumber] = 1  // output 1 ← u of the second
        features.weight.value = Tensor(weights, shape: features.weight.shape)
        let padding = withValues.vocabulary.floatPadding
        let parts = features(ids: points[0] + points[1] + Array(repeating: padding, count: points[0].count), points: 3).scalars
        #expect(abs(Double(parts[0]) - tanh(0.0999 / 2)) < 1e-6 && abs(Double(parts[1]) - tanh(0.25)) < 1e-6)
        #expect(abs(Double(parts[width]) - tanh(-0.625)) < 1e-6 && abs(Double(parts[width + 1]) - tanh(0.05)) < 1e-6)
        #expect(parts[(2 * width)...].allSatisfy { $0 == 0 })
        #expect(withValues.encodeNumeric([points.flatMap { $0 }]).latent.scalars != plain.encodeNumeric([points.flatMap { $0 }]).latent.scalars)
    }

    /// Training moves the map, a saved model reads back with it, and configs without the field
    /// write nothing for it.
    @Test func trainingMovesTheMapAndFilesKeepIt() throws {
        let model = try SNIPModel(config: Self.config, seed: 2)
        let tokenizer = model.tokenizer
        let random = try RandomTokens(seed: 3, vocabulary: model.vocabulary).examples(forStep: 0, count: 4)
        var examples: [TrainingExample] = []
        for (i, example) in random.enumerated() {
            var ids: [Int] = []
            for p in 0..<5 {
                let point: [Double] = [Double(p) / 4 - 0.5, Double(i * p) / 10]
                for word in try point.flatMap({ try tokenizer.floatTokenizer.encode($0) }) {
                    ids.append(try #require(tokenizer.floatVocabulary.id(of: word)))
                }
            }
            var withPoints = example
            withPoints.pointTokens = ids
            examples.append(withPoints)
        }
        let adam = Adam(parameters: model.parameters, schedule: .constant(1e-2))
        _ = optimizationStep(parameters: model.parameters, optimizer: adam, clipNorm: 1) {
            clipLoss(
                symbolic: model.encodeSymbolic(examples.map(\.expressionTokens)).latent,
                numeric: model.encodeNumeric(examples).latent)
        }
        #expect(model.embedder.valueFeatures?.weight.value.scalars.contains { $0 != 0 } == true)

        let path = freshTemporaryPath("point-values.safetensors")
        defer { unlink(path) }
        try model.save(to: path)
        let loaded = try SNIPModel.load(path)
        #expect(loaded.config.pointValues == true)
        #expect(loaded.encodeNumeric(examples).latent.scalars == model.encodeNumeric(examples).latent.scalars)
        #expect(loaded.config.layoutOptionsSummary == ", point values")

        let json = try JSONEncoder().encode(TinyTraining.config)
        #expect(!String(decoding: json, as: UTF8.self).contains("pointValues"))
        var wide = Self.config
        wide.mantissaLength = 2
        #expect(throws: ModelError.self) { try wide.validate() }
    }
}
