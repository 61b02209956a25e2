import Foundation
import SnipNN
import SnipTensor

// B batch, T positions, D width, L latent

/// A SNIP encoder (the reference's `TransformerModel` as encoder): optional token embeddings,
/// learned positions, LayerNorm, post-LN layers, attention pooling over positions and a
/// bottleneck to the latent vector. `encoder_f` embeds equation tokens; `encoder_y` takes the
/// point embedder's vectors.
public final class SnipEncoder: Module {
    /// Token embeddings (encoder_f only); key `embeddings`.
    public let embeddings: Embedding?
    /// Learned positions; key `position_embeddings`.
    public let positions: Embedding
    /// Key `layer_norm_emb`.
    public let inputNorm: LayerNorm
    /// Keys `attentions.i`, `layer_norm1.i`, `ffns.i`, `layer_norm2.i`.
    public let layers: [TransformerEncoderLayer]
    /// Pooling scores, Linear(D → 1); key `glob_attn_module.0`.
    public let poolScore: Linear
    /// Key `bottleneck_module.fc1`.
    public let bottleneck: Linear
    /// Unused by encoders but present in reference state dicts; key `z_projection`.
    public let latentProjection: Linear

    /// With `vocabularySize`/`paddingIndex` the encoder embeds token ids (encoder_f);
    /// without, it takes vectors (encoder_y).
    public init(
        config: ModelConfig, vocabularySize: Int? = nil, paddingIndex: Int? = nil,
        using generator: inout SeededGenerator
    ) {
        positions = Embedding(count: config.positions, width: config.width, using: &generator)
        embeddings = vocabularySize.map {
            Embedding(count: $0, width: config.width, paddingIndex: paddingIndex, using: &generator)
        }
        inputNorm = LayerNorm(width: config.width, epsilon: 1e-12)
        layers = (0..<config.layers).map { _ in
            TransformerEncoderLayer(
                width: config.width, heads: config.heads, hiddenLayers: config.feedForwardHiddenLayers,
                epsilon: 1e-12, using: &generator)
        }
        poolScore = Linear(inputs: config.width, outputs: 1, using: &generator)
        bottleneck = Linear(inputs: config.width, outputs: config.latent, using: &generator)
        latentProjection = Linear(inputs: config.latent, outputs: config.width, using: &generator)
    }

    public var children: [(key: String, module: any Module)] {
        var result: [(key: String, module: any Module)] = [("position_embeddings", positions)]
        if let embeddings { result.append(("embeddings", embeddings)) }
        result.append(("layer_norm_emb", inputNorm))
        for (i, layer) in layers.enumerated() {
            result += [
                ("attentions.\(i)", layer.attention), ("layer_norm1.\(i)", layer.attentionNorm),
                ("ffns.\(i)", layer.feedForward), ("layer_norm2.\(i)", layer.feedForwardNorm),
            ]
        }
        result += [("glob_attn_module.0", poolScore), ("bottleneck_module.fc1", bottleneck), ("z_projection", latentProjection)]
        return result
    }

    /// What an encoder pass produces.
    public struct Output {
        /// `[B, L]`
        public let latent: Tensor
        /// Pooling weights over the real positions `[B, T]` (padding's share is what is missing
        /// from each row's sum).
        public let poolWeights: Tensor
        /// Hidden states after the input LayerNorm and after each layer, `[B, T, D]` each (kept
        /// only when asked).
        public let hiddenStates: [Tensor]
    }

    /// Encodes token ids `[B, T]` (row-major; each row's first `lengths[b]` are real).
    public func callAsFunction(
        tokens ids: [Int], lengths: [Int], poolPadding: Int? = nil, keepHiddenStates: Bool = false
    ) -> Output {
        guard let embeddings else { preconditionFailure("this encoder takes vectors, not token ids") }
        let t = ids.count / max(lengths.count, 1)
        return encode(embeddings(ids, shape: [lengths.count, t]), lengths: lengths, poolPadding: poolPadding, keepHiddenStates: keepHiddenStates)
    }

    /// Encodes vectors `[B, T, D]` whose first `lengths[b]` rows are real.
    ///
    /// `poolPadding`: the length the reference pads the batch to; positions between T and it
    /// are not computed, but take their (exactly known) share of the pooling softmax, as
    /// zeroed rows do in the reference.
    public func encode(
        _ x: Tensor, lengths: [Int], poolPadding: Int? = nil, keepHiddenStates: Bool = false
    ) -> Output {
        let (b, t, d) = (x.shape[0], x.shape[1], x.shape[2])
        precondition(lengths.count == b && lengths.allSatisfy { $0 <= t }, "lengths \(lengths) do not fit \(x.shape)")
        let padded = lengths.contains { $0 < t }
        var maskValues = [Float](repeating: 0, count: b * t)
        for (row, length) in lengths.enumerated() { for i in 0..<length { maskValues[row * t + i] = 1 } }
        let mask = Tensor(maskValues, shape: [b, t])
        var h = x + positions.weight.value.sliced(axis: 0, 0..<t)  // [B, T, D]
        h = inputNorm(h)
        if padded { h = h * mask.reshaped([b, t, 1]) }
        var states: [Tensor] = keepHiddenStates ? [h] : []
        for layer in layers {
            h = layer(h, keyMask: padded ? mask : nil)
            if keepHiddenStates { states.append(h) }
        }
        // attention pooling: softmax over positions of a score per position
        var scores = poolScore(h).reshaped([b, t])  // [B, T]
        let extra = (poolPadding ?? t) - t
        if extra > 0, let bias = poolScore.bias {
            // the reference's padded rows are zero, so each scores exactly `bias`:
            // one extra column with score bias + log(extra) stands for all of them
            let column = (bias.value + Float(Foundation.log(Double(extra)))).reshaped([1, 1]).expanded(to: [b, 1])
            scores = Tensor.concatenate([scores, column], axis: 1)
        }
        var weights = scores.softmax(axis: 1)
        if extra > 0 { weights = weights.sliced(axis: 1, 0..<t) }
        let pooled = Tensor.matmul(weights.reshaped([b, 1, t]), h).reshaped([b, d])  // [B, D]
        return Output(latent: bottleneck(pooled), poolWeights: weights, hiddenStates: states)
    }
}
