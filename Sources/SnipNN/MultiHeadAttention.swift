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

    /// Attends queries `x` `[B, T, D]` to `memory` `[B, S, D]` (cross-attention, the
    /// reference decoder's `encoder_attn`), or to `x` itself when `memory` is nil; with
    /// `causal`, position t sees only keys 0…t (the decoder's self-attention).
    public func callAsFunction(_ x: Tensor, memory: Tensor?, causal: Bool) -> Tensor {
        let source = memory ?? x
        let (b, t, s) = (x.shape[0], x.shape[1], source.shape[1])
        precondition(source.shape[0] == b && source.shape[2] == width, "attention: \(x.shape) to \(source.shape)")
        precondition(!causal || s == t, "causal attention needs as many keys as queries")
        let e = width / heads
        func split(_ y: Tensor, _ n: Int) -> Tensor {
            y.reshaped([b, n, heads, e]).permuted([0, 2, 1, 3])  // [B, H, n, E]
        }
        let q = split(queryProjection(x) * (1 / Float(e).squareRoot()), t)
        let k = split(keyProjection(source), s)
        let v = split(valueProjection(source), s)
        var scores = Tensor.matmul(q, k, transposeB: true)  // [B, H, T, S]
        if causal && t > 1 {
            var mask = [Float](repeating: 0, count: t * t)
            for row in 0..<t { for column in (row + 1)..<t { mask[row * t + column] = -.infinity } }
            scores = scores + Tensor(mask).reshaped([1, 1, t, t])
        }
        let weights = scores.softmax(axis: -1)
        let context = Tensor.matmul(weights, v)  // [B, H, T, E]
            .permuted([0, 2, 1, 3]).reshaped([b, t, width])
        return outputProjection(context)
    }

    /// Attends within each sequence of a packed batch `[N, D]` (sequences one after another,
    /// no padding, see `Segments`).
    ///
    /// The three input projections run as one product with their weights stacked (`[3D, D]`),
    /// so the backward pass makes one `[N, D]` input gradient instead of three to add up; the
    /// parameters stay separate (checkpoint keys unchanged) and get their slices of the
    /// stacked gradient.
    public func callAsFunction(packed x: Tensor, segments: Segments) -> Tensor {
        let projections = [queryProjection, keyProjection, valueProjection]
        let biases = projections.compactMap { $0.bias?.value }
        guard biases.count == 3 else { return unfusedCall(packed: x, segments: segments) }
        let stackedWeight = Tensor.concatenate(projections.map(\.weight.value), axis: 0)  // [3D, D]
        let stackedBias = Tensor.concatenate(biases, axis: 0)  // [3D]
        let qkv = Tensor.linear(x, weight: stackedWeight, bias: stackedBias)  // [N, 3D]: Q, K, V
        let context = Tensor.segmentedSelfAttention(
            packedQKV: qkv, heads: heads, segments: segments, scale: 1 / Float(width / heads).squareRoot())  // [N, D]
        return outputProjection(context)
    }

    /// The packed-batch attention with one product per projection (the first implementation,
    /// kept as the reference for the stacked one).
    public func unfusedCall(packed x: Tensor, segments: Segments) -> Tensor {
        let context = Tensor.segmentedSelfAttention(
            query: queryProjection(x), key: keyProjection(x), value: valueProjection(x), heads: heads,
            segments: segments, scale: 1 / Float(width / heads).squareRoot())  // [N, D]
        return outputProjection(context)
    }
}
