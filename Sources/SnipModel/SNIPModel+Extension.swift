import SnipNN
import SnipTensor

extension SNIPModel {
    /// This model with the zero-initialised value readers of `config` added
    /// (``ModelConfig/pointValues``, ``ModelConfig/constantValues``): every weight this model has
    /// is kept, and the new maps start at zero, so the extended model computes exactly what this
    /// one does until it trains. Returns `self` when `config` is this model's config.
    ///
    /// Throws when `config` differs in anything else, or would remove a reader this model has.
    public func extended(to config: ModelConfig, seed: UInt64) throws(ModelError) -> SNIPModel {
        if config == self.config { return self }
        var comparable = config
        comparable.pointValues = self.config.pointValues
        comparable.constantValues = self.config.constantValues
        let removes = (self.config.pointValues == true && config.pointValues != true)
            || (self.config.constantValues == true && config.constantValues != true)
        guard comparable == self.config, !removes else {
            throw ModelError("a model can only gain pointValues or constantValues when it is extended; the configs differ otherwise")
        }
        let own = stateDict()
        let extended = try rebuilt(as: config, seed: seed, holding: own, strict: false, purpose: "extended")
        // every weight of this model must have found its place
        let keys = Set(extended.namedParameters().map(\.key))
        if let lost = own.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ModelError("the extended model has no place for \(lost)")
        }
        return extended
    }

    /// This model as the first weights of a run whose model is `config` (`snip pretrain
    /// --init-from`, and a resume of such a run before its first checkpoint): encoder_f
    /// ``widened(symbolicWidth:seed:)`` where `config` gives it another width,
    /// ``deepened(symbolicLayers:seed:)`` where it gives it more layers, then
    /// ``extended(to:seed:)`` with the value readers `config` adds.
    public func started(as config: ModelConfig, seed: UInt64) throws(ModelError) -> SNIPModel {
        var model = self
        if let width = config.symbolicWidth, config.symbolicWidth != self.config.symbolicWidth {
            model = try widened(symbolicWidth: width, seed: seed)
        }
        if config.symbolicEncoderLayers != model.config.symbolicEncoderLayers {
            model = try model.deepened(symbolicLayers: config.symbolicEncoderLayers, seed: seed)
        }
        return try model.extended(to: config, seed: seed)
    }

    /// A new model of `config` (initialised with `seed`) holding the weights of `state` and this
    /// model's contract: the common step of ``extended(to:seed:)``,
    /// ``widened(symbolicWidth:seed:)``, ``deepened(symbolicLayers:seed:)`` and
    /// ``trimmed(positions:)``. `purpose` names the new
    /// model in the error when a weight does not fit.
    func rebuilt(
        as config: ModelConfig, seed: UInt64, holding state: [String: Tensor], strict: Bool, purpose: String
    ) throws(ModelError) -> SNIPModel {
        let model = try SNIPModel(config: config, seed: seed)
        do {
            try model.load(stateDict: state, strict: strict)
        } catch {
            throw ModelError("cannot carry the weights into the \(purpose) model: \(error)")
        }
        model.contract = contract
        model.contractIsRecorded = contractIsRecorded
        return model
    }
}
