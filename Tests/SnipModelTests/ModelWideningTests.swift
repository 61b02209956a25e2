import Foundation
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// Growing a trained model's symbolic encoder (`SNIPModel.widened(symbolicWidth:seed:)`,
/// `snip pretrain --init-from M --symbolic-width N`).
struct ModelWideningTests {
    static var config: ModelConfig {
        var config = TinyTraining.config  // width 16, 2 heads, 1 layer
        config.layers = 2
        config.smoothMantissas = true
        config.constantValues = true
        return config
    }

    /// A model whose zero-initialised maps are filled in, so that every kind of weight carries
    /// information into the widened model.
    static func trainedLikeModel() throws -> SNIPModel {
        let model = try SNIPModel(config: config, seed: 4)
        var generator = SeededGenerator(seed: 8)
        for (_, parameter) in model.namedParameters() {
            let values = parameter.value.scalars.map { $0 + Float.random(in: -0.2...0.2, using: &generator) }
            parameter.value = Tensor(values, shape: parameter.shape)
        }
        return model
    }

    static func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? .infinity
    }

    /// Twice and three times as wide, encoder_f gives the same latent vectors (to float
    /// rounding), encoder_y is untouched, and the widened model keeps its contract.
    @Test(arguments: [32, 48]) func theWidenedModelComputesWhatTheModelDid(width: Int) throws {
        let model = try Self.trainedLikeModel()
        model.contract.normalizesY = true
        let wide = try model.widened(symbolicWidth: width, seed: 3)
        #expect(wide.config.symbolicWidth == width && wide.config.width == 16)
        #expect(wide.contract.normalizesY)
        #expect(wide.symbolicEncoder.layers[1].feedForward.expand.weight.shape == [4 * width, width])
        let examples = try RandomTokens(seed: 5, vocabulary: model.vocabulary).examples(forStep: 0, count: 4)
        #expect(wide.encodeNumeric(examples).latent.scalars == model.encodeNumeric(examples).latent.scalars)
        let formulas = examples.map(\.expressionTokens)
        let before = model.encodeSymbolic(formulas).latent
        let after = wide.encodeSymbolic(formulas).latent
        let scale = before.scalars.map(abs).max()!
        #expect(scale > 0.1)
        #expect(Self.largestDifference(before, after) < 1e-4 * scale)
    }

    /// The copies of a unit read shared weights in different fractions (else they would get the
    /// same gradients forever): the query weights that read unit 0 and its copy differ, and sum
    /// to the old weight scaled by 1/√2.
    @Test func theCopiesOfAUnitShareItsWeightsUnevenly() throws {
        let model = try Self.trainedLikeModel()
        let wide = try model.widened(symbolicWidth: 32, seed: 3)
        let old = model.symbolicEncoder.layers[0].attention.queryProjection.weight.value  // [16, 16]
        let new = wide.symbolicEncoder.layers[0].attention.queryProjection.weight.value  // [32, 32]
        // head width 8 → 16: new unit 8 is the copy of old unit 0 (head 0)
        let (a, b) = (new[0, 0], new[0, 8])
        #expect(a != b)
        #expect(abs((a + b) * Float(2).squareRoot() - old[0, 0]) < 1e-5)
        // the copy of output unit 0 (row 8) draws its own fractions
        #expect(new[8, 0] != a)
        #expect(abs((new[8, 0] + new[8, 8]) * Float(2).squareRoot() - old[0, 0]) < 1e-5)
        // layer norms repeat their unit exactly
        let gain = wide.symbolicEncoder.layers[0].attentionNorm.weight.value
        #expect(gain[0] == gain[8] && gain[0] == model.symbolicEncoder.layers[0].attentionNorm.weight.value[0])
    }

    /// The widened model trains, and the copies of a unit grow apart.
    @Test func theCopiesGrowApartInTraining() throws {
        let model = try Self.trainedLikeModel()
        let wide = try model.widened(symbolicWidth: 32, seed: 3)
        let data = RandomTokens(seed: 11, vocabulary: wide.vocabulary)
        let out = freshTemporaryPath("run-widened")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try Pretrainer(model: wide, options: TinyTraining.options(), directory: out, seed: 11, dataDescription: "random")
        #expect(try run.train(data: data, steps: 2) == .finished)
        // head width 8 → 16: unit j of a head and unit j + 8 are copies; without uneven shares
        // every pair would stay equal (Adam's first steps move a weight by ±lr whatever the
        // gradient's size, so a pair may still match by chance)
        let gain = wide.symbolicEncoder.layers[0].attentionNorm.weight.value
        let pairs = (0..<2).flatMap { head in (0..<8).map { (16 * head + $0, 16 * head + 8 + $0) } }
        let apart = pairs.filter { gain[$0.0] != gain[$0.1] }.count
        #expect(apart > pairs.count / 2)
        let losses = try run.run.metrics().map { $0["loss"] as! Double }
        #expect(losses.count == 2 && losses.allSatisfy(\.isFinite))
    }

    /// A grown run resumed before its first checkpoint grows the same starting weights again
    /// from the file it was initialised from (`started(as:seed:)`): widened, and widened then
    /// deepened (``ModelDeepeningTests``).
    @Test(arguments: [nil, 4]) func aGrownRunResumedBeforeItsFirstCheckpointStartsAlike(symbolicLayers: Int?) throws {
        let folder = freshTemporaryPath("widened-start-\(symbolicLayers ?? 0)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/model.safetensors"
        try Self.trainedLikeModel().save(to: file)
        var config = Self.config
        config.symbolicWidth = 32
        config.symbolicLayers = symbolicLayers
        let grown = try SNIPModel.load(file).started(as: config, seed: 7)
        #expect(grown.config == config)
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: false, skeleton: false)
        _ = try Pretrainer(
            model: grown, options: TinyTraining.options(), directory: folder + "/run", seed: 7, data: spec, initializedFrom: file)
        let (resumed, _) = try Pretrainer.resume(directory: folder + "/run")
        #expect(resumed.step == 0 && resumed.model.config == config)
        let formulas = [[20, 21, 22, 23], [24, 25]]
        #expect(resumed.model.encodeSymbolic(formulas).latent.scalars == grown.encodeSymbolic(formulas).latent.scalars)
        let last = config.symbolicEncoderLayers - 1  // a new layer's own random weights when deepened
        #expect(resumed.model.symbolicEncoder.layers[last].attention.queryProjection.weight.value.scalars
            == grown.symbolicEncoder.layers[last].attention.queryProjection.weight.value.scalars)
    }

    /// Only whole multiples of the width, at least twice, are allowed.
    @Test func onlyWholeMultiplesAreAllowed() throws {
        let model = try SNIPModel(config: Self.config, seed: 4)
        for bad in [8, 16, 24, 40] {
            #expect(throws: ModelError.self) { try model.widened(symbolicWidth: bad, seed: 1) }
        }
        let wide = try model.widened(symbolicWidth: 32, seed: 1)
        #expect(try wide.widened(symbolicWidth: 64, seed: 1).config.symbolicWidth == 64)
    }
}
