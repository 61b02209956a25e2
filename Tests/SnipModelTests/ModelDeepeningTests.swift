import Foundation
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// Adding layers to a trained model's symbolic encoder (`SNIPModel.deepened(symbolicLayers:seed:)`,
/// `snip pretrain --init-from M --symbolic-layers N`). A deepened run resumed before its first
/// checkpoint is checked with the widened one (``ModelWideningTests``).
struct ModelDeepeningTests {
    static let formulas = [[20, 21, 22, 23, 24, 25], [24, 25], [26, 21, 20]]

    /// Deeper by one and by three layers, encoder_f gives the same latent vectors (to float
    /// rounding), encoder_y is untouched, and the deepened model keeps its contract and
    /// width. The model's LayerNorm gains and shifts are not 1 and 0, so the moved gain and
    /// shift are what keeps the output.
    @Test(arguments: [3, 5]) func theDeepenedModelComputesWhatTheModelDid(layers: Int) throws {
        let model = try ModelWideningTests.trainedLikeModel()
        model.contract.normalizesY = true
        let lastNorm = model.symbolicEncoder.layers[1].feedForwardNorm
        #expect(lastNorm.weight.value.scalars.contains { abs($0 - 1) > 0.05 })
        let deep = try model.deepened(symbolicLayers: layers, seed: 3)
        #expect(deep.config.symbolicLayers == layers && deep.config.layers == 2)
        #expect(deep.symbolicEncoder.layers.count == layers && deep.numericEncoder.layers.count == 2)
        #expect(deep.contract.normalizesY)
        let examples = try RandomTokens(seed: 5, vocabulary: model.vocabulary).examples(forStep: 0, count: 4)
        #expect(deep.encodeNumeric(examples).latent.scalars == model.encodeNumeric(examples).latent.scalars)
        let before = model.encodeSymbolic(Self.formulas).latent
        let after = deep.encodeSymbolic(Self.formulas).latent
        let scale = before.scalars.map(abs).max()!
        #expect(scale > 0.1)
        #expect(ModelWideningTests.largestDifference(before, after) < 1e-4 * scale)
        // the old last LayerNorm's gain moved to the last new layer
        #expect(deep.symbolicEncoder.layers[layers - 1].feedForwardNorm.weight.value.scalars == lastNorm.weight.value.scalars)
        #expect(deep.symbolicEncoder.layers[1].feedForwardNorm.weight.value.scalars.allSatisfy { $0 == 1 })
    }

    /// Leaving the gain and shift where they were (as a plain zero-output layer would) changes
    /// what the encoder computes: the check above can fail.
    @Test func withoutMovingTheLastGainTheOutputChanges() throws {
        let model = try ModelWideningTests.trainedLikeModel()
        let deep = try model.deepened(symbolicLayers: 3, seed: 3)
        let (old, new) = (model.symbolicEncoder.layers[1].feedForwardNorm, deep.symbolicEncoder.layers[2].feedForwardNorm)
        deep.symbolicEncoder.layers[1].feedForwardNorm.weight.value = old.weight.value
        deep.symbolicEncoder.layers[1].feedForwardNorm.bias.value = old.bias.value
        new.weight.value = Tensor.ones(new.weight.shape)
        new.bias.value = Tensor.zeros(like: new.bias.value)
        let before = model.encodeSymbolic(Self.formulas).latent
        let after = deep.encodeSymbolic(Self.formulas).latent
        let scale = before.scalars.map(abs).max()!
        #expect(ModelWideningTests.largestDifference(before, after) > 1e-3 * scale)  // ten times the bound above (it misses by ~75)
    }

    /// The new layers start with zero outputs, and training moves them: after two steps their
    /// attention output projection is no longer zero.
    @Test func theNewLayersLearn() throws {
        let model = try ModelWideningTests.trainedLikeModel()
        let deep = try model.deepened(symbolicLayers: 3, seed: 3)
        let projection = deep.symbolicEncoder.layers[2].attention.outputProjection.weight
        #expect(projection.value.scalars.allSatisfy { $0 == 0 })
        #expect(deep.symbolicEncoder.layers[2].feedForward.contract.weight.value.scalars.allSatisfy { $0 == 0 })
        let data = RandomTokens(seed: 11, vocabulary: deep.vocabulary)
        let out = freshTemporaryPath("run-deepened")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try Pretrainer(model: deep, options: TinyTraining.options(), directory: out, seed: 11, dataDescription: "random")
        #expect(try run.train(data: data, steps: 2) == .finished)
        #expect(projection.value.scalars.contains { $0 != 0 })
    }

    /// An encoder_f without layers ends in its input LayerNorm, which hands over its gain and
    /// shift in the same way.
    @Test func anEncoderWithoutLayersGrowsItsFirst() throws {
        var config = ModelWideningTests.config
        config.symbolicLayers = 0
        let model = try SNIPModel(config: config, seed: 4)
        var generator = SeededGenerator(seed: 9)
        for parameter in [model.symbolicEncoder.inputNorm.weight, model.symbolicEncoder.inputNorm.bias] {
            parameter.value = Tensor(parameter.value.scalars.map { $0 + Float.random(in: -0.3...0.3, using: &generator) }, shape: parameter.shape)
        }
        let deep = try model.deepened(symbolicLayers: 1, seed: 2)
        let before = model.encodeSymbolic(Self.formulas).latent
        let after = deep.encodeSymbolic(Self.formulas).latent
        #expect(ModelWideningTests.largestDifference(before, after) < 1e-4 * before.scalars.map(abs).max()!)
        #expect(deep.symbolicEncoder.inputNorm.weight.value.scalars.allSatisfy { $0 == 1 })
    }

    /// Only more layers than encoder_f has, within the layer range.
    @Test func onlyMoreLayersAreAllowed() throws {
        let model = try SNIPModel(config: ModelWideningTests.config, seed: 4)
        for bad in [1, 2, 65] {
            #expect(throws: ModelError.self) { try model.deepened(symbolicLayers: bad, seed: 1) }
        }
        #expect(try model.deepened(symbolicLayers: 3, seed: 1).deepened(symbolicLayers: 4, seed: 1).config.symbolicLayers == 4)
    }
}
