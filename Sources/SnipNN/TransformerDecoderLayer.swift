import SnipTensor

// B batch, T positions, S memory positions, D width

/// One post-LN transformer decoder layer, the reference decoder's order:
/// `x = LN1(x + causal MHA(x)); x = LN15(x + MHA(x → memory)); x = LN2(x + FFN(x))`.
public final class TransformerDecoderLayer: Module {
    public let selfAttention: MultiHeadAttention
    public let selfAttentionNorm: LayerNorm
    public let crossAttention: MultiHeadAttention
    public let crossAttentionNorm: LayerNorm
    public let feedForward: FeedForward
    public let feedForwardNorm: LayerNorm

    public init(width: Int, heads: Int, hidden: Int? = nil, using generator: inout SeededGenerator) {
        selfAttention = MultiHeadAttention(width: width, heads: heads, using: &generator)
        selfAttentionNorm = LayerNorm(width: width, epsilon: 1e-12)
        crossAttention = MultiHeadAttention(width: width, heads: heads, using: &generator)
        crossAttentionNorm = LayerNorm(width: width, epsilon: 1e-12)
        feedForward = FeedForward(width: width, hidden: hidden ?? 4 * width, using: &generator)
        feedForwardNorm = LayerNorm(width: width, epsilon: 1e-12)
    }

    public var children: [(key: String, module: any Module)] {
        [("attention", selfAttention), ("layer_norm1", selfAttentionNorm), ("encoder_attn", crossAttention),
         ("layer_norm15", crossAttentionNorm), ("ffn", feedForward), ("layer_norm2", feedForwardNorm)]
    }

    /// `x` `[B, T, D]` (position t sees positions ≤ t), `memory` `[B, S, D]`.
    public func callAsFunction(_ x: Tensor, memory: Tensor) -> Tensor {
        var h = selfAttentionNorm(x + selfAttention(x, memory: nil, causal: true))
        h = crossAttentionNorm(h + crossAttention(h, memory: memory, causal: false))
        return feedForwardNorm(h + feedForward(h))
    }
}
