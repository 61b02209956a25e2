import Foundation
import SnipMath
import SnipNN
import SnipTensor

// B batch, T positions, K memory tokens, D width, L latent, V vocabulary

/// The shape of a ``FormulaDecoder``.
public struct DecoderConfig: Codable, Equatable, Sendable {
    /// The latent width of the numeric encoder it reads (the SNIP model's `latent`).
    public var latent: Int
    /// The largest input dimension of the formulas it writes (`x_0` … `x_{d−1}`).
    public var maxInputDimension: Int
    /// Transformer width.
    public var width = 64
    /// Decoder layers.
    public var layers = 2
    /// Attention heads.
    public var heads = 4
    /// Pseudo-tokens the mapper makes of one latent vector (the memory the decoder attends to).
    public var memoryTokens = 8
    /// Hidden width of the mapper.
    public var mapperHidden = 256
    /// The most tokens of a formula (without its two `<EOS>`).
    public var maxLength = 80

    /// A decoder for a SNIP model of `model`'s latent width and input dimension.
    public init(model: ModelConfig) {
        latent = model.latent
        maxInputDimension = model.maxInputDimension
    }

    /// Checks the numbers before anything is allocated.
    public func validate() throws(ModelError) {
        for (name, value, range) in [
            ("latent", latent, 1...4096), ("max input dimension", maxInputDimension, 1...10), ("width", width, 4...2048),
            ("layers", layers, 1...32), ("heads", heads, 1...64), ("memory tokens", memoryTokens, 1...512),
            ("mapper hidden width", mapperHidden, 1...16384), ("max length", maxLength, 3...1000),
        ] where !range.contains(value) {
            throw ModelError("decoder \(name) \(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        guard width % heads == 0 else { throw ModelError("decoder width \(width) is not a multiple of \(heads) heads") }
    }
}

/// The words a ``FormulaDecoder`` writes: `<EOS>`, `<PAD>`, the operators, `CONSTANT` and the
/// variables, i.e. formula skeletons (constants are fitted to the data afterwards).
public struct DecoderVocabulary: Equatable, Sendable {
    public let words: [String]
    private let ids: [String: Int]
    /// Number of operands of each word's node (−1 for `<EOS>`/`<PAD>`).
    public let arity: [Int]

    public static let end = 0
    public static let padding = 1

    /// The words for formulas of up to `maxInputDimension` variables.
    public init(maxInputDimension: Int) {
        var words = ["<EOS>", "<PAD>"]
        var arity = [-1, -1]
        for op in [BinaryOperator.add, .sub, .mul, .div] {
            words.append(op.rawValue)
            arity.append(2)
        }
        for op in UnaryOperator.allCases {
            words.append(op.rawValue)
            arity.append(1)
        }
        words.append("CONSTANT")
        arity.append(0)
        for i in 0..<maxInputDimension {
            words.append("x_\(i)")
            arity.append(0)
        }
        self.words = words
        self.arity = arity
        ids = Dictionary(uniqueKeysWithValues: words.enumerated().map { ($1, $0) })
    }

    public var count: Int { words.count }

    /// The id of `word`, or nil when the decoder cannot write it.
    public func id(of word: String) -> Int? { ids[word] }

    /// The id of variable `x_i`.
    public func variable(_ i: Int) -> Int? { ids["x_\(i)"] }
}

/// SNIP's expression decoder: a latent vector of the numeric encoder becomes `memoryTokens`
/// pseudo-tokens through a mapper (Linear → ReLU → Linear, as the reference's SNIP
/// symbolic-regression model does), and a post-LN transformer decoder writes a formula
/// skeleton in prefix order while cross-attending to them.
///
/// Conditioning on the latent vector rather than on the encoder's per-point outputs is what
/// makes latent-space optimisation possible: a search can move the vector and decode again.
public final class FormulaDecoder: Module {
    public let config: DecoderConfig
    public let vocabulary: DecoderVocabulary
    /// Key `mapper.0`.
    public let mapperInput: Linear
    /// Key `mapper.2`.
    public let mapperOutput: Linear
    /// Key `embeddings`.
    public let embeddings: Embedding
    /// Key `position_embeddings`.
    public let positions: Embedding
    /// Key `layer_norm_emb`.
    public let inputNorm: LayerNorm
    /// Keys `layers.i`.
    public let layers: [TransformerDecoderLayer]
    /// Key `proj`.
    public let output: Linear

    public init(config: DecoderConfig, seed: UInt64) throws(ModelError) {
        try config.validate()
        self.config = config
        vocabulary = DecoderVocabulary(maxInputDimension: config.maxInputDimension)
        var generator = SeededGenerator(seed: seed)
        mapperInput = Linear(inputs: config.latent, outputs: config.mapperHidden, using: &generator)
        mapperOutput = Linear(inputs: config.mapperHidden, outputs: config.memoryTokens * config.width, using: &generator)
        embeddings = Embedding(
            count: vocabulary.count, width: config.width, paddingIndex: DecoderVocabulary.padding, using: &generator)
        positions = Embedding(count: config.maxLength + 2, width: config.width, using: &generator)
        inputNorm = LayerNorm(width: config.width, epsilon: 1e-12)
        layers = (0..<config.layers).map { _ in
            TransformerDecoderLayer(width: config.width, heads: config.heads, using: &generator)
        }
        output = Linear(inputs: config.width, outputs: vocabulary.count, using: &generator)
    }

    public var children: [(key: String, module: any Module)] {
        [("mapper.0", mapperInput), ("mapper.2", mapperOutput), ("embeddings", embeddings),
         ("position_embeddings", positions), ("layer_norm_emb", inputNorm)]
            + layers.enumerated().map { ("layers.\($0.offset)", $0.element) } + [("proj", output)]
    }

    /// The pseudo-tokens of latent vectors `[B, L]`: `[B, K, D]`.
    public func memory(latent: Tensor) -> Tensor {
        precondition(latent.rank == 2 && latent.shape[1] == config.latent, "decoder memory: latent \(latent.shape)")
        let hidden = mapperInput(latent, thenReLU: true)
        return mapperOutput(hidden).reshaped([latent.shape[0], config.memoryTokens, config.width])
    }

    /// Next-token logits `[B, T, V]` for token sequences `tokens` (B rows of T ids each, the
    /// first of each `<EOS>`) given `memory` `[B, K, D]`.
    public func logits(memory: Tensor, tokens: [[Int]]) -> Tensor {
        let b = tokens.count
        let t = tokens.first?.count ?? 0
        precondition(t >= 1 && t <= config.maxLength + 2 && tokens.allSatisfy { $0.count == t }, "decoder: ragged or long tokens")
        let ids = tokens.flatMap { $0 }
        let positionIDs = (0..<b).flatMap { _ in 0..<t }
        var h = inputNorm(embeddings(ids, shape: [b, t]) + positions(positionIDs, shape: [b, t]))
        for layer in layers { h = layer(h, memory: memory) }
        return output(h)
    }

    /// Teacher-forced cross-entropy of writing `formulas` (decoder ids, without `<EOS>`) from
    /// `latent` `[B, L]`: each formula is read as `<EOS> f <EOS>` and every token after the
    /// first is predicted from those before it.
    public func loss(latent: Tensor, formulas: [[Int]]) -> Tensor {
        precondition(formulas.count == latent.shape[0], "\(formulas.count) formulas for \(latent.shape[0]) latents")
        let longest = formulas.map(\.count).max() ?? 0
        precondition(longest <= config.maxLength, "a formula has \(longest) tokens; the decoder writes at most \(config.maxLength)")
        let end = DecoderVocabulary.end
        let pad = DecoderVocabulary.padding
        var inputs: [[Int]] = []
        var targets: [Int] = []
        for f in formulas {
            let sequence = [end] + f + [end]
            let padding = [Int](repeating: pad, count: longest - f.count)
            inputs.append(Array(sequence.dropLast()) + padding)
            targets += Array(sequence.dropFirst()) + padding
        }
        let logits = logits(memory: memory(latent: latent), tokens: inputs)  // [B, T, V]
        return crossEntropy(
            logits: logits.reshaped([formulas.count * (longest + 1), vocabulary.count]), targets: targets, ignoring: pad)
    }

    /// The decoder ids of an expression's skeleton tokens (prefix words), or nil when it has a
    /// word the decoder cannot write or is too long.
    public func ids(of words: [String]) -> [Int]? {
        guard words.count <= config.maxLength else { return nil }
        var out: [Int] = []
        out.reserveCapacity(words.count)
        for w in words {
            guard let id = vocabulary.id(of: w) else { return nil }
            out.append(id)
        }
        return out
    }
}
