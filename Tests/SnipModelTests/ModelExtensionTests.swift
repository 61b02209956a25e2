import SnipModel
import SnipTensor
import Testing

/// A trained model gaining the zero-initialised value readers (`SNIPModel.extended(to:seed:)`,
/// `snip pretrain --init-from M --constant-values`).
struct ModelExtensionTests {
    /// The extended model keeps every weight and computes exactly what the model did, on both
    /// sides, with the new maps in place and at zero.
    @Test func theExtendedModelComputesWhatTheModelDid() throws {
        let model = try SNIPModel(config: TinyTraining.config, seed: 4)
        model.contract.normalizesY = true
        var config = model.config
        config.constantValues = true
        config.pointValues = true
        let extended = try model.extended(to: config, seed: 9)
        #expect(extended !== model)
        #expect(extended.config == config && extended.contract.normalizesY)
        #expect(extended.parameterCount > model.parameterCount)
        #expect(extended.symbolicEncoder.constantFeatures?.weight.value.scalars.allSatisfy { $0 == 0 } == true)
        #expect(extended.embedder.valueFeatures?.weight.value.scalars.allSatisfy { $0 == 0 } == true)
        let examples = try RandomTokens(seed: 5, vocabulary: model.vocabulary).examples(forStep: 0, count: 3)
        #expect(extended.encodeNumeric(examples).latent.scalars == model.encodeNumeric(examples).latent.scalars)
        let formulas = examples.map(\.expressionTokens)
        #expect(extended.encodeSymbolic(formulas).latent.scalars == model.encodeSymbolic(formulas).latent.scalars)
        #expect(try model.extended(to: model.config, seed: 9) === model)
    }

    /// Anything but adding a reader is refused: other sizes, and removing a reader the model has.
    @Test func onlyAddingAReaderIsAllowed() throws {
        let model = try SNIPModel(config: TinyTraining.config, seed: 4)
        var wider = model.config
        wider.width *= 2
        #expect(throws: ModelError.self) { try model.extended(to: wider, seed: 1) }
        var withValues = model.config
        withValues.constantValues = true
        let extended = try model.extended(to: withValues, seed: 1)
        #expect(throws: ModelError.self) { try extended.extended(to: model.config, seed: 1) }
    }
}
