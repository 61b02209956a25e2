import Foundation
import SnipNN
import SnipTensor

/// Which contrastive objective pre-training optimises.
public enum ContrastiveObjective: String, Codable, CaseIterable, Sendable {
    /// The reference's: softmax cross-entropy both ways over `z_f · z_yᵀ / temperature`,
    /// embeddings not normalised (their norms act as a per-sample temperature).
    case clip
    /// CLIP as published: L2-normalised embeddings, logits scaled by a learned `exp(s)`
    /// (s starts at ln(1/0.07), exp(s) capped at 100).
    case clipNormalized = "clip-normalized"
    /// SigLIP's pairwise sigmoid loss on L2-normalised embeddings with a learned scale
    /// (starts at 10) and bias (starts at −10): every pair is its own binary decision.
    case siglip

    /// How retrieval should score pairs of a model trained with this objective.
    public var similarity: ModelContract.Similarity { self == .clip ? .dot : .cosine }
}

/// A contrastive loss and its own trainable scalars (none for the reference objective).
public final class ContrastiveLoss {
    public let objective: ContrastiveObjective
    /// The fixed temperature of the reference objective.
    public let temperature: Float
    /// The loss's trainable scalars with their checkpoint keys (`clip.logit_scale`,
    /// `clip.logit_bias`), outside the model's state dict so reference keys stay unchanged.
    public let parameters: [(key: String, parameter: Parameter)]

    /// The largest logit scale of the normalised objectives (CLIP's cap), also the largest a
    /// run may start at.
    public static let maximumScale = 100.0
    static let maximumLogScale = Float(Foundation.log(maximumScale))

    /// The scale a normalised objective's logits start at, unless told otherwise: CLIP's 1/0.07,
    /// SigLIP's 10 (nil for the reference objective, which has none).
    public static func defaultInitialScale(of objective: ContrastiveObjective) -> Double? {
        switch objective {
        case .clip: nil
        case .clipNormalized: 1 / 0.07
        case .siglip: 10
        }
    }

    /// `initialScale` (> 0, at most ``maximumScale``) replaces the objective's ``defaultInitialScale(of:)``;
    /// the reference objective ignores it.
    public init(objective: ContrastiveObjective, temperature: Float = 1, initialScale: Double? = nil) {
        self.objective = objective
        self.temperature = temperature
        let logScale = Parameter(Tensor([Float(Foundation.log(initialScale ?? Self.defaultInitialScale(of: objective) ?? 1))]))
        switch objective {
        case .clip: parameters = []
        case .clipNormalized: parameters = [("clip.logit_scale", logScale)]
        case .siglip: parameters = [("clip.logit_scale", logScale), ("clip.logit_bias", Parameter(Tensor([-10])))]
        }
    }

    /// The loss of a batch whose row i of `symbolic` and of `numeric` (`[B, L]`) come from the
    /// same function.
    ///
    /// With `lookAlikes` (B × B, row-major: formula i looks like point set j), every look-alike
    /// pair counts as a match instead of a negative: the softmax objectives take the uniform
    /// distribution over a row's (a column's) look-alikes as their target, SigLIP labels those
    /// pairs positive. Affine functions, a third of the reference's 1-D data, are otherwise
    /// pushed apart from points they cannot be told from.
    public func callAsFunction(symbolic: Tensor, numeric: Tensor, lookAlikes: [Bool]? = nil) -> Tensor {
        let b = symbolic.shape[0]
        var matches = lookAlikes ?? [Bool](repeating: false, count: b * b)
        precondition(matches.count == b * b, "look-alike table of \(matches.count) for a batch of \(b)")
        for i in 0..<b { matches[i * b + i] = true }
        switch objective {
        case .clip where lookAlikes == nil:
            return clipLoss(symbolic: symbolic, numeric: numeric, temperature: temperature)
        case .clip:
            let logits = Tensor.matmul(symbolic, numeric, transposeB: true) / temperature  // [B, B]
            return Self.softTargetLoss(logits, matches: matches, b: b)
        case .clipNormalized:
            let logits = Tensor.matmul(unitRows(symbolic), unitRows(numeric), transposeB: true)
                * scale  // [B, B]
            guard lookAlikes != nil else {
                let labels = Array(0..<b)
                return (crossEntropy(logits: logits, targets: labels) + crossEntropy(logits: logits.transposed(), targets: labels)) * 0.5
            }
            return Self.softTargetLoss(logits, matches: matches, b: b)
        case .siglip:
            let logits = Tensor.matmul(unitRows(symbolic), unitRows(numeric), transposeB: true)
                * scale + parameters[1].parameter.value  // [B, B]
            // +1 for pairs of one function (or look-alikes), −1 elsewhere
            let signs = matches.map { Float($0 ? 1 : -1) }
            return -logSigmoid(logits * Tensor(signs, shape: [b, b])).sum() / Float(b)
        }
    }

    /// The mean of the two cross-entropies (rows: formula → points, columns: points →
    /// formula) against the uniform distribution over each row's or column's matches.
    static func softTargetLoss(_ logits: Tensor, matches: [Bool], b: Int) -> Tensor {
        var rows = [Float](repeating: 0, count: b * b)
        var columns = [Float](repeating: 0, count: b * b)  // of the transposed logits
        for i in 0..<b {
            let inRow = (0..<b).filter { matches[i * b + $0] }
            for j in inRow { rows[i * b + j] = 1 / Float(inRow.count) }
            let inColumn = (0..<b).filter { matches[$0 * b + i] }
            for j in inColumn { columns[i * b + j] = 1 / Float(inColumn.count) }
        }
        let formulaSide = -(Tensor(rows, shape: [b, b]) * logits.logSoftmax(axis: 1)).sum()
        let pointSide = -(Tensor(columns, shape: [b, b]) * logits.transposed().logSoftmax(axis: 1)).sum()
        return (formulaSide + pointSide) * (0.5 / Float(b))
    }

    /// `exp(s)`, s capped so the scale stays ≤ 100.
    private var scale: Tensor { parameters[0].parameter.value.clamped(max: Self.maximumLogScale).exp() }
}

/// Each row of `[N, L]` divided by its Euclidean norm (rows of zeros stay zero),
/// differentiably: the loss's normalisation and the cosine retrieval scores.
public func unitRows(_ z: Tensor) -> Tensor {
    z / ((z * z).sum(axis: 1, keepDims: true) + 1e-12).sqrt()
}

/// `log σ(x)` without overflow: `min(x, 0) − log(1 + exp(−|x|))`.
func logSigmoid(_ x: Tensor) -> Tensor {
    x.clamped(max: 0) - ((-x.abs()).exp() + 1).log()
}
