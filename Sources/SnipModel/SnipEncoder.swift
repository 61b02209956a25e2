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
    /// The smooth part of mantissa embeddings (encoder_f with ``ModelConfig/smoothMantissas``);
    /// key `mantissa_features`.
    public let mantissaFeatures: MantissaFeatures?
    /// The learned part read from constants' values (encoder_f with
    /// ``ModelConfig/constantValues``); key `constant_features`.
    public let constantFeatures: ConstantValueFeatures?

    /// With `vocabularySize`/`paddingIndex` the encoder embeds token ids (encoder_f);
    /// without, it takes vectors (encoder_y). `layerCount` and `width` override `config.layers`
    /// and `config.width`; `mantissaFeatures` and `constantFeatures` add to the token embeddings.
    public init(
        config: ModelConfig, vocabularySize: Int? = nil, paddingIndex: Int? = nil, layerCount: Int? = nil,
        width: Int? = nil, mantissaFeatures: MantissaFeatures? = nil, constantFeatures: ConstantValueFeatures? = nil,
        using generator: inout SeededGenerator
    ) {
        let width = width ?? config.width
        self.mantissaFeatures = mantissaFeatures
        self.constantFeatures = constantFeatures
        positions = Embedding(count: config.positions, width: width, using: &generator)
        embeddings = vocabularySize.map {
            Embedding(count: $0, width: width, paddingIndex: paddingIndex, using: &generator)
        }
        inputNorm = LayerNorm(width: width, epsilon: 1e-12)
        layers = (0..<(layerCount ?? config.layers)).map { _ in
            TransformerEncoderLayer(
                width: width, heads: config.heads, hiddenLayers: config.feedForwardHiddenLayers,
                epsilon: 1e-12, using: &generator)
        }
        poolScore = Linear(inputs: width, outputs: 1, using: &generator)
        bottleneck = Linear(inputs: width, outputs: config.latent, using: &generator)
        latentProjection = Linear(inputs: config.latent, outputs: width, using: &generator)
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
        if let mantissaFeatures { result.append(("mantissa_features", mantissaFeatures)) }
        if let constantFeatures { result.append(("constant_features", constantFeatures)) }
        return result
    }

    /// What an encoder pass produces.
    public struct Output {
        /// `[B, L]`
        public let latent: Tensor
        /// Pooling weights of the real rows, packed `[N]` (padding's share is what a sequence's
        /// weights lack of 1).
        public let poolWeights: Tensor
        /// The sequences of the packed rows.
        public let segments: Segments
        /// Packed hidden states `[N, D]` after the input LayerNorm and after each layer (kept only
        /// when asked).
        public let hiddenStates: [Tensor]
    }

    /// Encodes token-id sequences (encoder_f), given back to back in `ids` with their `lengths`.
    public func callAsFunction(
        tokens ids: [Int], lengths: [Int], poolPadding: Int? = nil, keepHiddenStates: Bool = false
    ) -> Output {
        guard let embeddings else { preconditionFailure("this encoder takes vectors, not token ids") }
        var embedded = embeddings(ids, shape: [ids.count])
        if let mantissaFeatures { embedded = embedded + mantissaFeatures(ids, shape: [ids.count]) }
        if let constantFeatures { embedded = embedded + constantFeatures(ids) }
        return encode(
            embedded, segments: Segments(lengths: lengths), poolPadding: poolPadding,
            keepHiddenStates: keepHiddenStates)
    }

    /// Encodes packed vectors `[N, D]`: the sequences of `segments` one after another.
    ///
    /// `positionIDs`: each row's learned position, packed like the rows (nil: 0, 1, … within
    /// each sequence); a row kept from a longer sequence keeps the position it had there.
    /// `poolPadding`: the length the reference pads each sequence to; those padded positions
    /// are never computed, but take their exactly known share of the pooling softmax (the
    /// reference's zeroed rows all score the pooling bias).
    public func encode(
        _ x: Tensor, segments: Segments, positionIDs: [Int]? = nil, poolPadding: Int? = nil,
        keepHiddenStates: Bool = false
    ) -> Output {
        precondition(x.rank == 2 && x.shape[0] == segments.rows, "encode: \(x.shape) for \(segments.rows) rows")
        precondition(positionIDs == nil || positionIDs!.count == segments.rows, "encode: one position per row")
        let positionIDs = positionIDs ?? segments.lengths.flatMap { 0..<$0 }
        var h = inputNorm(x + positions(positionIDs, shape: [positionIDs.count]))  // [N, D]
        var states: [Tensor] = keepHiddenStates ? [h] : []
        for layer in layers {
            h = layer(packed: h, segments: segments)
            if keepHiddenStates { states.append(h) }
        }
        let scores = poolScore(h).reshaped([segments.rows])  // [N]
        // one virtual row per sequence for the padding the reference pools over
        let extraScores: Tensor
        if let padding = poolPadding, let bias = poolScore.bias {
            let logs = segments.lengths.map { padding > $0 ? Float(Foundation.log(Double(padding - $0))) : -Float.infinity }
            extraScores = bias.value + Tensor(logs)  // [B]
        } else {
            extraScores = Tensor.full([segments.count], value: -.infinity)
        }
        let (pooled, weights) = Tensor.segmentedAttentionPool(
            scores: scores, values: h, extraScores: extraScores, segments: segments)  // [B, D]
        return Output(latent: bottleneck(pooled), poolWeights: weights, segments: segments, hiddenStates: states)
    }
}
