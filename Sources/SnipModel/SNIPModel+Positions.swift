import SnipNN
import SnipTensor

extension SNIPModel {
    /// The fewest learned positions a model may keep: enough for its longest point set and its
    /// padded expression length (``ModelConfig/maxPoints``, ``ModelConfig/expressionPadding``).
    public var fewestPositions: Int { max(config.maxPoints, config.expressionPadding) }

    /// This model with only the first `count` rows of both encoders' learned position tables
    /// (``ModelConfig/positions``): the rows a model reads for up to `count` points or
    /// `count - 2` expression tokens, so it computes exactly what this one does on every input
    /// the smaller table still admits, and refuses longer ones as too long (``EmbeddingError``).
    /// The reference's 4,096 rows are a third of a small model's weights, most never trained.
    ///
    /// Throws when `count` is more than this model has or fewer than ``fewestPositions``.
    public func trimmed(positions count: Int) throws(ModelError) -> SNIPModel {
        guard count <= config.positions else {
            throw ModelError("the model has \(config.positions) positions; it cannot keep \(count)")
        }
        guard count >= fewestPositions else {
            throw ModelError(
                "the model reads up to \(config.maxPoints) points and expressions padded to \(config.expressionPadding) tokens: keep at least \(fewestPositions) positions, not \(count)")
        }
        if count == config.positions { return self }
        var smaller = config
        smaller.positions = count
        var state = stateDict()
        for key in ["encoder_y.position_embeddings.weight", "encoder_f.position_embeddings.weight"] {
            guard let table = state[key] else { continue }
            let width = table.shape[1]
            state[key] = Tensor(Array(table.scalars.prefix(count * width)), shape: [count, width])
        }
        return try rebuilt(as: smaller, seed: 0, holding: state, strict: true, purpose: "trimmed")
    }
}
