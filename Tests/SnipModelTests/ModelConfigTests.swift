import Foundation
import SnipModel
import SnipTensor
import TestSupport
import Testing

/// The model config's optional fields: what they build, and that configs without them read
/// and write as before.
struct ModelConfigTests {
    /// `symbolicLayers` deepens encoder_f alone; the file keeps it, and a config without it is
    /// the reference's (one layer count for both encoders, no new key in its JSON).
    @Test func symbolicLayersDeepenTheSymbolicEncoderAlone() throws {
        var config = TinyTraining.config  // 1 layer
        config.symbolicLayers = 3
        #expect(config.symbolicEncoderLayers == 3 && TinyTraining.config.symbolicEncoderLayers == 1)
        let model = try SNIPModel(config: config, seed: 4)
        #expect(model.symbolicEncoder.layers.count == 3 && model.numericEncoder.layers.count == 1)
        let keys = Set(model.namedParameters().map(\.key))
        #expect(keys.contains { $0.hasPrefix("encoder_f.attentions.2.") })
        #expect(!keys.contains { $0.hasPrefix("encoder_y.attentions.1.") })
        let plain = try SNIPModel(config: TinyTraining.config, seed: 4)
        let perLayer = plain.symbolicEncoder.layers[0].parameters.reduce(0) { $0 + $1.value.count }
        #expect(model.parameterCount == plain.parameterCount + 2 * perLayer)
        #expect(config.estimatedParameterCount > TinyTraining.config.estimatedParameterCount)

        // saved and loaded: the same config and the same embeddings
        let path = freshTemporaryPath("deep-symbolic.safetensors")
        defer { unlink(path) }
        try model.save(to: path)
        let loaded = try SNIPModel.load(path)
        #expect(loaded.config == config)
        let expressions = [[20, 21, 22], [23, 24]]
        #expect(loaded.encodeSymbolic(expressions).latent.scalars == model.encodeSymbolic(expressions).latent.scalars)

        // without the field: nil, and nothing written for it
        let json = try JSONEncoder().encode(TinyTraining.config)
        #expect(!String(decoding: json, as: UTF8.self).contains("symbolicLayers"))
        #expect(try ModelConfig.decode(json: json, source: "test").symbolicLayers == nil)
        for bad in [-1, 65] {
            var wrong = TinyTraining.config
            wrong.symbolicLayers = bad
            #expect(throws: ModelError.self) { try wrong.validate() }
        }
    }

    /// `symbolicWidth` widens encoder_f alone (same heads, same latent); the file keeps it, a
    /// config without it has one width, and widths the heads do not divide are refused.
    @Test func symbolicWidthWidensTheSymbolicEncoderAlone() throws {
        var config = TinyTraining.config  // width 16, 2 heads
        config.symbolicWidth = 48
        #expect(config.symbolicEncoderWidth == 48 && TinyTraining.config.symbolicEncoderWidth == 16)
        let model = try SNIPModel(config: config, seed: 4)
        #expect(model.symbolicEncoder.inputNorm.weight.shape == [48])
        #expect(model.symbolicEncoder.layers[0].attention.queryProjection.weight.shape == [48, 48])
        #expect(model.symbolicEncoder.layers[0].feedForward.expand.weight.shape == [192, 48])
        #expect(model.symbolicEncoder.bottleneck.weight.shape == [8, 48])
        #expect(model.numericEncoder.inputNorm.weight.shape == [16])
        #expect(config.estimatedParameterCount > TinyTraining.config.estimatedParameterCount)
        #expect(Double(model.parameterCount) < config.estimatedParameterCount * 1.5)
        let expressions = [[20, 21, 22], [23, 24]]
        #expect(model.encodeSymbolic(expressions).latent.shape == [2, 8])

        let path = freshTemporaryPath("wide-symbolic.safetensors")
        defer { unlink(path) }
        try model.save(to: path)
        let loaded = try SNIPModel.load(path)
        #expect(loaded.config == config)
        #expect(loaded.encodeSymbolic(expressions).latent.scalars == model.encodeSymbolic(expressions).latent.scalars)

        let json = try JSONEncoder().encode(TinyTraining.config)
        #expect(!String(decoding: json, as: UTF8.self).contains("symbolicWidth"))
        #expect(try ModelConfig.decode(json: json, source: "test").symbolicWidth == nil)
        for bad in [0, 17, 9000] {
            var wrong = TinyTraining.config
            wrong.symbolicWidth = bad
            #expect(throws: ModelError.self) { try wrong.validate() }
        }
    }
}
