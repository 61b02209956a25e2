// The fused attention kernels of attention.c, written once over a vector type and included once
// per instruction set with these macros defined:
//   VT      a vector of W floats (GCC vector extension, alignment 4 so loads may be unaligned)
//   W       its lane count
//   NAME(x) the instruction set's name for function x
//   TARGET  the function attribute that selects the instruction set (may be empty)
//   RB      query rows per block (8 where there are 32 vector registers, else 4)
//
// One sequence and head at a time: query rows are taken RB at a time; a block's scores against
// every key, its softmax, and its products with V (forward) or with K, Q and dO (backward) are
// done while the block's rows are in L1, so the [L, L] weights never exist as a whole.
// Scores and exponentials run over keys padded to `lp` (a multiple of W) so that they need no
// remainder; everything after the scores looks only at the first l keys.

// scores of RB rows: s[r][j] = Σ_c a_r[c] · bt[c][j] for j < lp (bt is [e][lp], keys padded)
TARGET ALWAYS_INLINE void NAME(block_scores)(const float *const a[RB], const float *bt, long lp,
                                             long e, float *s) {
    long j0 = 0;
    for (; j0 + 2 * W <= lp; j0 += 2 * W) {
        VT acc[RB][2];
        for (int r = 0; r < RB; r++) acc[r][0] = acc[r][1] = (VT){0};
        for (long c = 0; c < e; c++) {
            VT b0, b1;
            memcpy(&b0, bt + c * lp + j0, sizeof b0);
            memcpy(&b1, bt + c * lp + j0 + W, sizeof b1);
            for (int r = 0; r < RB; r++) {
                float x = a[r][c];
                acc[r][0] += x * b0;
                acc[r][1] += x * b1;
            }
        }
        for (int r = 0; r < RB; r++) {
            memcpy(s + r * lp + j0, &acc[r][0], sizeof acc[r][0]);
            memcpy(s + r * lp + j0 + W, &acc[r][1], sizeof acc[r][1]);
        }
    }
    if (j0 < lp) {  // one vector left (lp is a multiple of W)
        VT acc[RB];
        for (int r = 0; r < RB; r++) acc[r] = (VT){0};
        for (long c = 0; c < e; c++) {
            VT b0;
            memcpy(&b0, bt + c * lp + j0, sizeof b0);
            for (int r = 0; r < RB; r++) acc[r] += a[r][c] * b0;
        }
        for (int r = 0; r < RB; r++) memcpy(s + r * lp + j0, &acc[r], sizeof acc[r]);
    }
}

typedef uint32_t NAME(vu) __attribute__((vector_size(W * 4), aligned(4)));
typedef int32_t NAME(vi) __attribute__((vector_size(W * 4), aligned(4)));

// a in the lanes where mask is all ones, b where it is 0 (mask: a vector comparison's result)
TARGET ALWAYS_INLINE VT NAME(select)(NAME(vi) mask, VT a, VT b) {
    return (VT)(((NAME(vi))a & mask) | ((NAME(vi))b & ~mask));
}

// 2^x for x ≤ 0 on W lanes: the softmax's exponential, since the scores are made in log2 units
// (Kᵀ is scaled by log2 e as well) and max-subtracted. x = n + f with n = round(x), |f| ≤ 1/2;
// 2^f is a degree-6 polynomial (a near-minimax fit: relative error 2e-9, under 1e-7 once
// evaluated in float) and 2^n is added to its exponent bits. x is clamped below at -125 so that
// the result stays a normal float (terms below 2^-125 of the row's largest, which is 1, add
// nothing to the row's sum). NaN stays NaN (the comparison keeps it, the polynomial carries it,
// and n converts to 0x80000000, which adds nothing once shifted).
TARGET ALWAYS_INLINE VT NAME(exp2_nonpositive)(VT x) {
    const VT low = (VT){0} - 125.0f;
    VT xc = NAME(select)((NAME(vi))(x < low), low, x);
    VT n = (xc + 12582912.0f) - 12582912.0f;  // adding and subtracting 1.5·2^23 rounds
    VT f = xc - n;
    VT p = 1.5353361867e-4f * f + 1.3398874786e-3f;
    p = p * f + 9.6184373609e-3f;
    p = p * f + 5.5503324702e-2f;
    p = p * f + 2.4022647914e-1f;
    p = p * f + 6.9314720286e-1f;
    p = p * f + 1.0f;
    return (VT)((NAME(vu))p + ((NAME(vu))__builtin_convertvector(n, NAME(vi)) << 23));
}

// a where a > b, else b (b where either is NaN): one compare-and-select
TARGET ALWAYS_INLINE VT NAME(vmax)(VT a, VT b) { return NAME(select)((NAME(vi))(a > b), a, b); }

// the W lanes of v folded in halves, as a tree: their maximum (maximum ≠ 0) or their sum
TARGET ALWAYS_INLINE float NAME(fold)(VT v, int maximum) {
    float h[W];
    memcpy(h, &v, sizeof h);
    for (int w = W / 2; w >= 1; w /= 2)
        for (int k = 0; k < w; k++) h[k] = maximum ? (h[k + w] > h[k] ? h[k + w] : h[k]) : h[k] + h[k + w];
    return h[0];
}

// softmax numerators of s[0..<l] (scores in log2 units) in place: 2^(s_j − max), left
// unnormalised, their sum returned (the callers fold 1/sum into what they compute from them).
// s has room for lp ≥ l (a multiple of W), and s[l..<lp] is left 0, so that everything runs in
// whole vectors: the last, partial one is masked. A NaN score is passed over by the maximum and
// comes out of the exponential as NaN, so the sum, and everything divided by it, is NaN.
TARGET ALWAYS_INLINE float NAME(exp_row)(float *s, long l, long lp) {
    long full = l / W * W;
    NAME(vi) lanes, tail;  // tail: all ones in the lanes of the last vector below l
    for (int k = 0; k < W; k++) {
        lanes[k] = k;
        tail[k] = (int32_t)(l - full);
    }
    tail = (NAME(vi))(lanes < tail);
    VT m0, m1;
    for (int k = 0; k < W; k++) m0[k] = m1[k] = -INFINITY;
    long j = 0;
    for (; j + 2 * W <= full; j += 2 * W) {
        VT x, y;
        memcpy(&x, s + j, sizeof x);
        memcpy(&y, s + j + W, sizeof y);
        m0 = NAME(vmax)(x, m0);
        m1 = NAME(vmax)(y, m1);
    }
    if (j < full) {
        VT x;
        memcpy(&x, s + j, sizeof x);
        m0 = NAME(vmax)(x, m0);
    }
    if (full < l) {
        VT x;
        memcpy(&x, s + full, sizeof x);
        m1 = NAME(vmax)(NAME(select)(tail, x, m1), m1);
    }
    float best = NAME(fold)(NAME(vmax)(m0, m1), 1);
    // exponentials and their sum in one pass
    VT t0 = (VT){0}, t1 = (VT){0};
    for (j = 0; j + 2 * W <= full; j += 2 * W) {
        VT x, y;
        memcpy(&x, s + j, sizeof x);
        memcpy(&y, s + j + W, sizeof y);
        x = NAME(exp2_nonpositive)(x - best);
        y = NAME(exp2_nonpositive)(y - best);
        memcpy(s + j, &x, sizeof x);
        memcpy(s + j + W, &y, sizeof y);
        t0 += x;
        t1 += y;
    }
    if (j < full) {
        VT x;
        memcpy(&x, s + j, sizeof x);
        x = NAME(exp2_nonpositive)(x - best);
        memcpy(s + j, &x, sizeof x);
        t0 += x;
        j += W;
    }
    if (full < l) {
        VT x;
        memcpy(&x, s + full, sizeof x);
        x = (VT)((NAME(vi))NAME(exp2_nonpositive)(x - best) & tail);
        memcpy(s + full, &x, sizeof x);
        t1 += x;
        j += W;
    }
    for (; j < lp; j += W) memset(s + j, 0, sizeof(VT));
    return NAME(fold)(t0 + t1, 0);
}

// out_r[c] = alpha_r · Σ_{j<l} p[r][j] · b[j][c] for the first `rows` of the RB rows; even and
// odd j go to separate accumulators (2·RB independent FMA chains: enough to hide the latency)
TARGET ALWAYS_INLINE void NAME(block_times)(const float *p, long lp, long l, const float *b,
                                            long ldb, long e, const float alpha[RB], float *out,
                                            long ldo, long rows) {
    for (long c0 = 0; c0 < e; c0 += W) {
        VT acc[RB], odd[RB];
        for (int r = 0; r < RB; r++) acc[r] = odd[r] = (VT){0};
        long j = 0;
        for (; j + 2 <= l; j += 2) {
            VT b0, b1;
            memcpy(&b0, b + j * ldb + c0, sizeof b0);
            memcpy(&b1, b + (j + 1) * ldb + c0, sizeof b1);
            for (int r = 0; r < RB; r++) {
                acc[r] += p[r * lp + j] * b0;
                odd[r] += p[r * lp + j + 1] * b1;
            }
        }
        if (j < l) {
            VT b0;
            memcpy(&b0, b + j * ldb + c0, sizeof b0);
            for (int r = 0; r < RB; r++) acc[r] += p[r * lp + j] * b0;
        }
        for (long r = 0; r < rows; r++) {
            VT x = (acc[r] + odd[r]) * alpha[r];
            memcpy(out + r * ldo + c0, &x, sizeof x);
        }
    }
}

// acc[j][c] += Σ_r p[r][j] · alpha_r · a_r[c] for j < l (acc is [l][e], contiguous; alpha
// null for all ones)
TARGET ALWAYS_INLINE void NAME(block_rank_update)(const float *p, long lp, long l,
                                                  const float *const a[RB], const float *alpha,
                                                  long e, float *acc) {
    for (long c0 = 0; c0 < e; c0 += W) {
        _Static_assert(RB % 2 == 0, "the update below sums rows in pairs");
        VT ar[RB];
        for (int r = 0; r < RB; r++) {
            memcpy(&ar[r], a[r] + c0, sizeof ar[r]);
            if (alpha) ar[r] *= alpha[r];
        }
        for (long j = 0; j < l; j++) {
            VT x;
            memcpy(&x, acc + j * e + c0, sizeof x);
            // pairs, not a chain of RB dependent FMAs
            for (int r = 0; r < RB; r += 2) x += p[r * lp + j] * ar[r] + p[(r + 1) * lp + j] * ar[r + 1];
            memcpy(acc + j * e + c0, &x, sizeof x);
        }
    }
}

// The softmax backward of a block's rows in place: dS_r = P_r ⊙ (dP_r − Σ_j P_r dP_r) with
// P_r = inverse_r · E_r, E in p and dP in ds, for the first `rows` rows; in whole vectors, since
// both are 0 from l to lp (E by exp_row, dP from Vᵀ's padding). The repeated rows past `rows`
// get E = dS = 0: they add nothing to dK and dV.
TARGET ALWAYS_INLINE void NAME(block_softmax_backward)(float *p, float *ds, long lp, long l,
                                                       long rows, const float *inverse) {
    for (int r = 0; r < RB; r++) {
        float *pr = p + r * lp, *dr = ds + r * lp;
        if (r >= rows) {
            memset(pr, 0, sizeof(float) * (size_t)l);
            memset(dr, 0, sizeof(float) * (size_t)l);
            continue;
        }
        VT t = (VT){0};
        for (long j = 0; j < lp; j += W) {
            VT x, y;
            memcpy(&x, pr + j, sizeof x);
            memcpy(&y, dr + j, sizeof y);
            t += x * y;
        }
        float inv = inverse[r];
        float dot = NAME(fold)(t, 0) * inv;
        for (long j = 0; j < lp; j += W) {
            VT x, y;
            memcpy(&x, pr + j, sizeof x);
            memcpy(&y, dr + j, sizeof y);
            y = inv * x * (y - dot);
            memcpy(dr + j, &y, sizeof y);
        }
    }
}

TARGET static void NAME(attention_forward)(const float *q, const float *k, const float *v,
                                           long ld, float *o, long ldo, long l, long e,
                                           float scale, float *scratch) {
    long lp = (l + W - 1) / W * W;  // keys padded to whole vectors
    float *kt = scratch;      // [e][lp]: scale · log2 e · Kᵀ (scores in log2 units)
    float *s = kt + e * lp;   // [RB][lp]: a block's scores, then weights
    transpose_padded(k, ld, l, e, scale * LOG2E, kt, lp);
    for (long i0 = 0; i0 < l; i0 += RB) {
        long rows = l - i0 < RB ? l - i0 : RB;
        const float *qr[RB];
        // rows past the end repeat the last row (computed, never written)
        for (int r = 0; r < RB; r++) qr[r] = q + (i0 + (r < rows ? r : rows - 1)) * ld;
        NAME(block_scores)(qr, kt, lp, e, s);
        // the weights stay unnormalised; each output row is divided by its sum instead
        float inverse[RB];
        for (int r = 0; r < RB; r++) inverse[r] = 1.0f / NAME(exp_row)(s + r * lp, l, lp);
        NAME(block_times)(s, lp, l, v, ld, e, inverse, o + i0 * ldo, ldo, rows);
    }
}

TARGET static void NAME(attention_backward)(const float *q, const float *k, const float *v,
                                            long ld, const float *g, long ldg, float *dq,
                                            float *dk, float *dv, long ldd, long l, long e,
                                            float scale, float *scratch) {
    long lp = (l + W - 1) / W * W;  // keys padded to whole vectors
    float *kt = scratch;        // [e][lp]: scale · log2 e · Kᵀ (scores in log2 units)
    float *vt = kt + e * lp;    // [e][lp]: Vᵀ
    float *p = vt + e * lp;     // [RB][lp]: a block's weights P
    float *ds = p + RB * lp;    // [RB][lp]: dP, then the score gradients dS
    float *dka = ds + RB * lp;  // [l][e]: dS ᵀ Q (times scale at the end)
    float *dva = dka + l * e;   // [l][e]: Pᵀ dO
    transpose_padded(k, ld, l, e, scale * LOG2E, kt, lp);
    transpose_padded(v, ld, l, e, 1.0f, vt, lp);
    memset(dka, 0, sizeof(float) * (size_t)(2 * l * e));
    float scales[RB];  // dQ's factor, the same for every row
    for (int r = 0; r < RB; r++) scales[r] = scale;
    for (long i0 = 0; i0 < l; i0 += RB) {
        long rows = l - i0 < RB ? l - i0 : RB;
        const float *qr[RB], *gr[RB];
        for (int r = 0; r < RB; r++) {
            long i = i0 + (r < rows ? r : rows - 1);
            qr[r] = q + i * ld;
            gr[r] = g + i * ldg;
        }
        NAME(block_scores)(qr, kt, lp, e, p);
        // the weights stay unnormalised (E, with P = E / sum): the sums are folded into dS and dV
        float inverse[RB];
        for (int r = 0; r < RB; r++) inverse[r] = 1.0f / NAME(exp_row)(p + r * lp, l, lp);
        NAME(block_scores)(gr, vt, lp, e, ds);  // dP = dO Vᵀ
        NAME(block_softmax_backward)(p, ds, lp, l, rows, inverse);
        NAME(block_times)(ds, lp, l, k, ld, e, scales, dq + i0 * ldd, ldd, rows);  // dQ = scale · dS K
        NAME(block_rank_update)(ds, lp, l, qr, 0, e, dka);       // dK += dSᵀ Q
        NAME(block_rank_update)(p, lp, l, gr, inverse, e, dva);  // dV += Pᵀ dO
    }
    for (long j = 0; j < l; j++) {
        for (long c0 = 0; c0 < e; c0 += W) {  // e is a multiple of W
            VT x, y;
            memcpy(&x, dka + j * e + c0, sizeof x);
            memcpy(&y, dva + j * e + c0, sizeof y);
            x *= scale;
            memcpy(dk + j * ldd + c0, &x, sizeof x);
            memcpy(dv + j * ldd + c0, &y, sizeof y);
        }
    }
}
