import SnipMath

/// What a model expects of the functions it reads and how its two embeddings are compared.
///
/// A model is trained on one kind of data (y min-max scaled or raw, expressions or skeletons)
/// with one objective (the reference's raw dot product or L2-normalised embeddings); encoding
/// anything else silently gives meaningless embeddings. The contract travels in the checkpoint
/// (metadata key `snip.contract`) and every consumer (`snip embed`, `snip retrieval`,
/// `snip evaluate-model`, the language's `encode` and `nearest`) applies it through
/// ``prepared(_:)`` and ``similarity``.
public struct ModelContract: Codable, Equatable, Sendable {
    /// How a symbolic and a numeric embedding are scored against each other.
    public enum Similarity: String, Codable, Sendable, CaseIterable {
        /// `z_f · z_y`, the reference's CLIP logit (no normalisation).
        case dot
        /// The cosine of the two embeddings (models trained on L2-normalised embeddings).
        case cosine
    }

    /// Whether y values are min-max scaled to [0, 1] (eps 1e-10) before encoding, as the
    /// reference's `normalize_y` data is.
    public var normalizesY: Bool
    /// Whether expressions are read as skeletons (float constants replaced by `CONSTANT`).
    public var skeleton: Bool
    /// How retrieval scores a pair.
    public var similarity: Similarity
    /// Whether points are put in ascending order of their inputs before encoding
    /// (``Sample/sortedByInputs()``); the reference reads them in the order they were drawn.
    public var sortsPoints: Bool

    /// A contract; the defaults are the reference's (raw y, full expressions, dot product,
    /// points in the order given).
    public init(normalizesY: Bool = false, skeleton: Bool = false, similarity: Similarity = .dot, sortsPoints: Bool = false) {
        self.normalizesY = normalizesY
        self.skeleton = skeleton
        self.similarity = similarity
        self.sortsPoints = sortsPoints
    }

    private enum CodingKeys: String, CodingKey {
        case normalizesY, skeleton, similarity, sortsPoints
    }

    /// Reads a recorded contract; checkpoints written before points could be sorted read them
    /// as given.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        normalizesY = try c.decode(Bool.self, forKey: .normalizesY)
        skeleton = try c.decode(Bool.self, forKey: .skeleton)
        similarity = try c.decode(Similarity.self, forKey: .similarity)
        sortsPoints = try c.decodeIfPresent(Bool.self, forKey: .sortsPoints) ?? false
    }

    /// The checkpoint metadata key.
    static let metadataKey = "snip.contract"

    /// The sample as the model reads it: y min-max scaled and the points sorted when the
    /// contract says so.
    public func prepared(_ sample: Sample) -> Sample {
        guard normalizesY || sortsPoints else { return sample }
        var sample = sortsPoints ? sample.sortedByInputs() : sample
        if normalizesY { sample.y = Sample.minMaxScaled(sample.y) }
        return sample
    }

    /// A one-line description for reports and `snip info`.
    public var summary: String {
        "\(normalizesY ? "y scaled to [0, 1]" : "raw y"), \(skeleton ? "skeletons" : "expressions"), "
            + "\(similarity == .dot ? "dot-product" : "cosine") scores" + (sortsPoints ? ", points sorted by x" : "")
    }
}
