import SnipTensor

// B batch, T positions, D width

/// One post-LN transformer encoder layer: `x = LN1(x + MHA(x)); x = LN2(x + FFN(x))`, padded
/// rows zeroed at the end (the reference's layer order).
public final class TransformerEncoderLayer: Module {
    public let attention: MultiHeadAttention
    public let attentionNorm: LayerNorm
    public let feedForward: FeedForward
    public let feedForwardNorm: LayerNorm

    public init(
        width: Int, heads: Int, hidden: Int? = nil, hiddenLayers: Int = 1, epsilon: Float = 1e-12,
        using generator: inout SeededGenerator
    ) {
        attention = MultiHeadAttention(width: width, heads: heads, using: &generator)
        attentionNorm = LayerNorm(width: width, epsilon: epsilon)
        feedForward = FeedForward(
            width: width, hidden: hidden ?? 4 * width, hiddenLayers: hiddenLayers, using: &generator)
        feedForwardNorm = LayerNorm(width: width, epsilon: epsilon)
    }

    public var children: [(key: String, module: any Module)] {
        [("attention", attention), ("layer_norm1", attentionNorm), ("ffn", feedForward),
         ("layer_norm2", feedForwardNorm)]
    }

    /// `x` `[B, T, D]`; `keyMask` `[B, T]` (1 real, 0 padding) or nil.
    public func callAsFunction(_ x: Tensor, keyMask: Tensor? = nil) -> Tensor {
        var h = attentionNorm(x + attention(x, keyMask: keyMask))
        h = feedForwardNorm(h + feedForward(h))
        if let keyMask, keyMask.scalars.contains(0) {
            h = h * keyMask.reshaped([keyMask.shape[0], keyMask.shape[1], 1])
        }
        return h
    }

    /// The layer on a packed batch `[N, D]`: no padding, so nothing to mask.
    public func callAsFunction(packed x: Tensor, segments: Segments) -> Tensor {
        let h = attentionNorm(x + attention(packed: x, segments: segments))
        return feedForwardNorm(h + feedForward(h))
    }
}
