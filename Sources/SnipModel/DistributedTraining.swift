import SnipNN
import SnipTensor

// Data-parallel CLIP training: the maths.
//
// B examples per step are split over N processes; rank r holds the contiguous slice S_r of
// b_r rows and encodes them: z_i = f_θ(x_i) for i ∈ S_r (both encoders; z stands for z_f and
// z_y alike). The loss L(Z) of the reference is a function of the whole B × L matrices
// (every logit z_f,i · z_y,j enters, and the softmax of a row runs over all B columns), so it
// cannot be split into per-rank losses. Instead every rank
//   1. all-gathers the latents, Z = [Z_0; …; Z_{N−1}] (identical bytes on every rank),
//   2. puts its own rows back as the tensors that carry its graph (the other rows are constants
//      for it): Ẑ_r = [Z_0; …; z(S_r); …; Z_{N−1}] — open_clip's "gather with gradient" without
//      a communicating backward,
//   3. computes the same loss value L(Ẑ_r) = L(Z) on every rank, and back-propagates it.
// Back-propagation then gives rank r exactly ∂L/∂z_i for its rows i ∈ S_r (the full
// derivative: every logit and every softmax row that z_i enters is on rank r too), and through
// its encoders
//   g_r = Σ_{i ∈ S_r} (∂z_i/∂θ)ᵀ ∂L/∂z_i.
// The slices partition the batch, so Σ_r g_r = Σ_i (∂z_i/∂θ)ᵀ ∂L/∂z_i = ∂L/∂θ: the model's
// gradient is the SUM over ranks (no 1/N: L is already the mean over the global batch). The
// loss's own scalars (a learned logit scale and bias) are different: they enter L directly,
// so every rank computes their full gradient ∂L/∂s, and the right value is the MEAN over
// ranks (each rank's copy is the same up to rounding). After one all-reduce every rank holds
// the single-process gradient, clips it by the same global norm and makes the same update.

/// `gathered` (`[B, L]`, constants) with rows `offset..<offset + local.shape[0]` replaced by
/// `local`, so that back-propagation sends their gradient to `local` (and nothing elsewhere).
public func rowsReplaced(in gathered: Tensor, by local: Tensor, at offset: Int) -> Tensor {
    let b = gathered.shape[0]
    let end = offset + local.shape[0]
    precondition(gathered.rank == 2 && local.rank == 2 && gathered.shape[1] == local.shape[1] && end <= b,
        "rowsReplaced: \(local.shape) at \(offset) in \(gathered.shape)")
    let constants = gathered.detached()
    var pieces: [Tensor] = []
    if offset > 0 { pieces.append(constants.sliced(axis: 0, 0..<offset)) }
    pieces.append(local)
    if end < b { pieces.append(constants.sliced(axis: 0, end..<b)) }
    return pieces.count == 1 ? local : Tensor.concatenate(pieces, axis: 0)  // [B, L]
}

/// Every rank's symbolic and numeric latents (`[b_r, L]` each) as two `[B, L]` matrices whose
/// own rows carry this rank's graph (see the comment at the top of this file).
package func gatherLatents(symbolic: Tensor, numeric: Tensor, group: ProcessGroup, counts: [Int]) throws -> (symbolic: Tensor, numeric: Tensor) {
    let (b, width) = (symbolic.shape[0], symbolic.shape[1])
    precondition(numeric.shape == symbolic.shape, "latents \(symbolic.shape) vs \(numeric.shape)")
    // one exchange: each rank sends its rows as [z_f row | z_y row]
    var local = [Float](repeating: 0, count: b * 2 * width)
    symbolic.withUnsafeBufferPointer { f in
        numeric.withUnsafeBufferPointer { y in
            for i in 0..<b {
                for c in 0..<width {
                    local[i * 2 * width + c] = f[i * width + c]
                    local[i * 2 * width + width + c] = y[i * width + c]
                }
            }
        }
    }
    let all = try group.allGather(local, counts: counts.map { $0 * 2 * width })
    let total = counts.reduce(0, +)
    let both = Tensor(all, shape: [total, 2 * width])  // [B, 2L]
    let offset = counts[..<group.rank].reduce(0, +)
    return (
        rowsReplaced(in: both.sliced(axis: 1, 0..<width), by: symbolic, at: offset),
        rowsReplaced(in: both.sliced(axis: 1, width..<2 * width), by: numeric, at: offset)
    )
}

/// Sums the gradients of the model's parameters and averages those of the loss's own
/// scalars over the group, in one all-reduce that also carries whether every rank's loss
/// was finite, whether any rank asked to stop, and the sum of a per-rank share of the loss
/// (the property loss of each rank's rows).
package final class GradientSynchronizer {
    let group: ProcessGroup
    let parameters: [Parameter]
    /// Per parameter: whether every rank computes its full gradient (averaged) or only its
    /// examples' share (summed).
    let replicated: [Bool]
    private let offsets: [Int]
    private var buffer: [Float]

    package init(group: ProcessGroup, parameters: [Parameter], replicated: [Parameter]) {
        self.group = group
        self.parameters = parameters
        let shared = Set(replicated.map(ObjectIdentifier.init))
        self.replicated = parameters.map { shared.contains(ObjectIdentifier($0)) }
        var offsets: [Int] = []
        var total = 0
        for p in parameters {
            offsets.append(total)
            total += p.value.count
        }
        self.offsets = offsets
        // gradients, then per parameter whether a rank had one, then two flags and a loss share
        buffer = [Float](repeating: 0, count: total + parameters.count + 3)
    }

    /// Bytes of gradient each step all-reduces.
    var gradientBytes: Int { (buffer.count - parameters.count - 3) * MemoryLayout<Float>.stride }

    /// Replaces every parameter's gradient by the group's (summed or averaged); returns whether
    /// every rank's loss was finite, whether any rank asked to stop, and the sum over ranks of
    /// `lossShare`.
    package func synchronize(
        lossIsFinite: Bool, stopRequested: Bool, lossShare: Double = 0
    ) throws -> (allFinite: Bool, stop: Bool, lossShare: Double) {
        let n = parameters.count
        let total = offsets.last.map { $0 + parameters[n - 1].value.count } ?? 0
        let scale = 1 / Float(group.size)
        buffer.withUnsafeMutableBufferPointer { out in
            for (index, p) in parameters.enumerated() {
                let o = offsets[index]
                if let g = p.grad {
                    g.withUnsafeBufferPointer { g in
                        if replicated[index] {
                            for k in 0..<g.count { out[o + k] = g[k] * scale }
                        } else {
                            _ = UnsafeMutableBufferPointer(rebasing: out[o..<(o + g.count)]).initialize(from: g)
                        }
                    }
                    out[total + index] = 1
                } else {
                    out[o..<(o + p.value.count)].update(repeating: 0)
                    out[total + index] = 0
                }
            }
            out[total + n] = lossIsFinite ? 0 : 1
            out[total + n + 1] = stopRequested ? 1 : 0
            out[total + n + 2] = Float(lossShare)
        }
        try buffer.withUnsafeMutableBufferPointer { try group.allReduceSum($0) }
        for (index, p) in parameters.enumerated() {
            p.value.zeroGrad()
            guard buffer[total + index] > 0 else { continue }
            let o = offsets[index]
            let g = Tensor(Array(buffer[o..<(o + p.value.count)]), shape: p.shape)
            // back-propagating from the leaf itself sets its gradient to `g`
            p.value.backward(seed: g)
        }
        return (buffer[total + n] == 0, buffer[total + n + 1] > 0, Double(buffer[total + n + 2]))
    }
}
