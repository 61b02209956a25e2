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

// exp for x ≤ 0 (max-subtracted scores) on W lanes: exp_core's reduction and polynomial, with
// x clamped below at log 2^-126 so that 2^n is one normal float built from its bits (results
// below 2^-126 come out as about 2^-126 instead of subnormal: nothing, beside the row's largest
// term of 1). NaN stays NaN (the comparison keeps it, the polynomial carries it).
TARGET ALWAYS_INLINE VT NAME(exp_nonpositive)(VT x) {
    const VT low = (VT){0} - 87.33654475f;
    NAME(vu) below = (NAME(vu))(x < low);  // all ones where x < low
    VT xc = (VT)(((NAME(vu))x & ~below) | ((NAME(vu))low & below));
    VT n, p;
    EXP_REDUCED(xc, n, p);
    NAME(vu) bits = ((NAME(vu))__builtin_convertvector(n, NAME(vi)) + 127u) << 23;
    return p * (VT)bits;
}

// softmax numerators of s[0..<l] in place: e^(s_j − max), left unnormalised, their sum
// returned (the callers fold 1/sum into what they compute from them). s has room for lp ≥ l (a
// multiple of W), and s[l..<lp] is left 0, so that the exponentials and sums run in whole vectors.
TARGET ALWAYS_INLINE float NAME(exp_row)(float *s, long l, long lp) {
    VT m;
    for (int k = 0; k < W; k++) m[k] = -INFINITY;
    long j = 0;
    for (; j + W <= l; j += W) {
        VT x;
        memcpy(&x, s + j, sizeof x);
        m = __builtin_elementwise_max(m, x);
    }
    float best = -INFINITY;
    for (int k = 0; k < W; k++) best = m[k] > best ? m[k] : best;
    for (; j < l; j++) best = s[j] > best ? s[j] : best;
    long lw = (l + W - 1) / W * W;  // ≤ lp
    // exponentials and their sum in one pass; the lanes past l (padding) are set to 0 first
    VT t = (VT){0};
    for (j = 0; j + W <= l; j += W) {
        VT x;
        memcpy(&x, s + j, sizeof x);
        x = NAME(exp_nonpositive)(x - best);
        memcpy(s + j, &x, sizeof x);
        t += x;
    }
    if (j < l) {
        VT x;
        memcpy(&x, s + j, sizeof x);
        x = NAME(exp_nonpositive)(x - best);
        for (long k = l - j; k < W; k++) x[k] = 0;
        memcpy(s + j, &x, sizeof x);
        t += x;
    }
    for (j = lw; j < lp; j++) s[j] = 0;
    float total = 0;
    for (int k = 0; k < W; k++) total += t[k];
    return total;
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

TARGET static void NAME(attention_forward)(const float *q, const float *k, const float *v,
                                           long ld, float *o, long ldo, long l, long e,
                                           float scale, float *scratch) {
    long lp = (l + W - 1) / W * W;  // keys padded to whole vectors
    float *kt = scratch;      // [e][lp]: scale · Kᵀ
    float *s = kt + e * lp;   // [RB][lp]: a block's scores, then weights
    transpose_padded(k, ld, l, e, scale, kt, lp);
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
    float *kt = scratch;        // [e][lp]: scale · Kᵀ
    float *vt = kt + e * lp;    // [e][lp]: Vᵀ
    float *p = vt + e * lp;     // [RB][lp]: a block's weights P
    float *ds = p + RB * lp;    // [RB][lp]: dP, then the score gradients dS
    float *dka = ds + RB * lp;  // [l][e]: dS ᵀ Q (times scale at the end)
    float *dva = dka + l * e;   // [l][e]: Pᵀ dO
    transpose_padded(k, ld, l, e, scale, kt, lp);
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
        for (int r = 0; r < RB; r++) {
            float *pr = p + r * lp, *dr = ds + r * lp;
            if (r >= rows) {
                // a repeated row adds nothing to dK and dV
                memset(pr, 0, sizeof(float) * (size_t)l);
                memset(dr, 0, sizeof(float) * (size_t)l);
                continue;
            }
            // softmax backward: dS = P ⊙ (dP − Σ_j P dP), with P = inverse · E
            VT t = (VT){0};
            long j = 0;
            for (; j + W <= l; j += W) {
                VT x, y;
                memcpy(&x, pr + j, sizeof x);
                memcpy(&y, dr + j, sizeof y);
                t += x * y;
            }
            float dot = 0;
            for (int c = 0; c < W; c++) dot += t[c];
            for (; j < l; j++) dot += pr[j] * dr[j];
            float inv = inverse[r];
            dot *= inv;
            for (j = 0; j < l; j++) dr[j] = inv * pr[j] * (dr[j] - dot);
        }
        NAME(block_times)(ds, lp, l, k, ld, e, scales, dq + i0 * ldd, ldd, rows);  // dQ = scale · dS K
        NAME(block_rank_update)(ds, lp, l, qr, 0, e, dka);       // dK += dSᵀ Q
        NAME(block_rank_update)(p, lp, l, gr, inverse, e, dva);  // dV += Pᵀ dO
    }
    for (long j = 0; j < l; j++) {
        for (long c = 0; c < e; c++) {
            dk[j * ldd + c] = scale * dka[j * e + c];
            dv[j * ldd + c] = dva[j * e + c];
        }
    }
}
