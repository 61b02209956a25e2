import SnipTensor

// B batch, T positions, D width, H heads, E = D / H head width

/// Multi-head self-attention with separate query/key/value/output projections (the reference's
/// `q_lin`, `k_lin`, `v_lin`, `out_lin`), queries scaled by 1/√E and padded keys masked out.
public final class MultiHeadAttention: Module {
    public let heads: Int
    public let width: Int
    /// Key `q_lin`.
    public let queryProjection: Linear
    /// Key `k_lin`.
    public let keyProjection: Linear
    /// Key `v_lin`.
    public let valueProjection: Linear
    /// Key `out_lin`.
    public let outputProjection: Linear

    public init(width: Int, heads: Int, using generator: inout SeededGenerator) {
        precondition(width % heads == 0, "width \(width) is not a multiple of \(heads) heads")
        self.width = width
        self.heads = heads
        queryProjection = Linear(inputs: width, outputs: width, using: &generator)
        keyProjection = Linear(inputs: width, outputs: width, using: &generator)
        valueProjection = Linear(inputs: width, outputs: width, using: &generator)
        outputProjection = Linear(inputs: width, outputs: width, using: &generator)
    }

    public var children: [(key: String, module: any Module)] {
        [("q_lin", queryProjection), ("k_lin", keyProjection), ("v_lin", valueProjection),
         ("out_lin", outputProjection)]
    }

    /// Attends `x` `[B, T, D]` to itself. `keyMask` `[B, T]` is 1 for real positions and 0 for
    /// padding (padded keys get no weight); nil means no padding.
    public func callAsFunction(_ x: Tensor, keyMask: Tensor? = nil) -> Tensor {
        let (b, t) = (x.shape[0], x.shape[1])
        let e = width / heads
        func split(_ y: Tensor) -> Tensor {
            y.reshaped([b, t, heads, e]).permuted([0, 2, 1, 3])  // [B, H, T, E]
        }
        let q = split(queryProjection(x) * (1 / Float(e).squareRoot()))
        let k = split(keyProjection(x))
        let v = split(valueProjection(x))
        var scores = Tensor.matmul(q, k, transposeB: true)  // [B, H, T, T]
        if let keyMask, keyMask.scalars.contains(0) {
            // -inf added to padded keys' scores: the same as filling them, and its gradient
            // passes straight through (padded keys get zero softmax weight, hence zero gradient)
            let bias = keyMask.map { $0 == 0 ? -Float.infinity : 0 }.reshaped([b, 1, 1, t])
            scores = scores + bias
        }
        let weights = scores.softmax(axis: -1)  // [B, H, T, T]
        let context = Tensor.matmul(weights, v)  // [B, H, T, E]
            .permuted([0, 2, 1, 3]).reshaped([b, t, width])  // [B, T, D]
        return outputProjection(context)
    }
}

/// The position-wise feed-forward block: Linear(D → hidden), ReLU, Linear(hidden → D)
/// (the reference's `lin1`, `lin2`).
public final class FeedForward: Module {
    /// Key `lin1`.
    public let expand: Linear
    /// Key `lin2`.
    public let contract: Linear

    public init(width: Int, hidden: Int, using generator: inout SeededGenerator) {
        expand = Linear(inputs: width, outputs: hidden, using: &generator)
        contract = Linear(inputs: hidden, outputs: width, using: &generator)
    }

    public var children: [(key: String, module: any Module)] { [("lin1", expand), ("lin2", contract)] }

    public func callAsFunction(_ x: Tensor) -> Tensor { contract(expand(x).relu()) }
}

/// One post-LN transformer encoder layer: `x = LN1(x + MHA(x)); x = LN2(x + FFN(x))`, padded
/// rows zeroed at the end (the reference's layer order).
public final class TransformerEncoderLayer: Module {
    public let attention: MultiHeadAttention
    public let attentionNorm: LayerNorm
    public let feedForward: FeedForward
    public let feedForwardNorm: LayerNorm

    public init(
        width: Int, heads: Int, hidden: Int? = nil, epsilon: Float = 1e-12,
        using generator: inout SeededGenerator
    ) {
        attention = MultiHeadAttention(width: width, heads: heads, using: &generator)
        attentionNorm = LayerNorm(width: width, epsilon: epsilon)
        feedForward = FeedForward(width: width, hidden: hidden ?? 4 * width, using: &generator)
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
}
