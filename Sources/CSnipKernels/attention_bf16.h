// The fused attention kernels of attention.c with bfloat16 products, on CPUs with AVX-512 BF16:
// included by attention.c after its AVX-512 build, whose softmax pieces (exp_row_avx512,
// block_softmax_backward_avx512) it reuses. Every product (scores, dP, P·V, dS·K, dSᵀ·Q,
// Pᵀ·dO) multiplies operands rounded to bfloat16 (nearest even) with float32 sums (vdpbf16ps:
// pairs along the inner dimension in one 32-bit lane); the softmax, its backward and every sum
// stay float32. Same blocks, same contract as attention_body.h; head widths that are multiples
// of 16.

#define BF_TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx512bf16,avx2,fma")))
#define BF_RB 8  // query rows per block
#define BF_W 16  // lanes

// out[c] = (scale·x[2c], scale·x[2c + 1]) as bfloat16 pairs, c < n/2 (n a multiple of 16)
BF_TARGET ALWAYS_INLINE void bf_row_pairs(const float *x, long n, float scale, uint32_t *out) {
    __m512 s = _mm512_set1_ps(scale);
    for (long t = 0; t < n; t += 16)
        _mm256_storeu_si256((__m256i *)(out + t / 2),
                            (__m256i)_mm512_cvtneps_pbh(_mm512_mul_ps(_mm512_loadu_ps(x + t), s)));
}

// out[c] = (s0·r0[c], s1·r1[c]) as bfloat16 pairs, c < n (n a multiple of 16; r1 NULL: 0)
BF_TARGET ALWAYS_INLINE void bf_cross_pairs(const float *r0, const float *r1, long n, float s0,
                                            float s1, uint32_t *out) {
    for (long c = 0; c < n; c += 16) {
        __m256i even =
            (__m256i)_mm512_cvtneps_pbh(_mm512_mul_ps(_mm512_loadu_ps(r0 + c), _mm512_set1_ps(s0)));
        __m256i odd = r1 ? (__m256i)_mm512_cvtneps_pbh(
                               _mm512_mul_ps(_mm512_loadu_ps(r1 + c), _mm512_set1_ps(s1)))
                         : _mm256_setzero_si256();
        _mm512_storeu_si512(out + c,
                            _mm512_or_si512(_mm512_cvtepu16_epi32(even),
                                            _mm512_slli_epi32(_mm512_cvtepu16_epi32(odd), 16)));
    }
}

// t[c][j] = (scale·x[j][2c], scale·x[j][2c + 1]) for j < l, 0 for l ≤ j < lp: Xᵀ as pairs along
// the head width e (x has row stride ld), [e/2][lp]
BF_TARGET static void bf_transposed_pairs(const float *x, long ld, long l, long e, float scale,
                                          uint32_t *t, long lp) {
    uint32_t row[64];
    for (long j = 0; j < l; j++) {
        for (long c0 = 0; c0 < e; c0 += 128) {
            long n = e - c0 < 128 ? e - c0 : 128;
            bf_row_pairs(x + j * ld + c0, n, scale, row);
            for (long c = 0; c < n / 2; c++) t[(c0 / 2 + c) * lp + j] = row[c];
        }
    }
    for (long c = 0; c < e / 2; c++)
        for (long j = l; j < lp; j++) t[c * lp + j] = 0;
}

// out[p][c] = (x[2p][c], x[2p + 1][c]) for p < ⌈l/2⌉ (a missing last row 0): X as pairs along
// its rows, [⌈l/2⌉][e]
BF_TARGET static void bf_row_pair_rows(const float *x, long ld, long l, long e, uint32_t *out) {
    for (long p = 0; 2 * p < l; p++)
        bf_cross_pairs(x + 2 * p * ld, 2 * p + 1 < l ? x + (2 * p + 1) * ld : NULL, e, 1, 1,
                       out + p * e);
}

// scores of BF_RB rows: s[r][j] = Σ_c a_r[c] · bt[c][j], j < lp (a multiple of 16), over pairs:
// ap [BF_RB][ep] (each row's pairs), bt [ep][lp]
BF_TARGET ALWAYS_INLINE void bf_block_scores(const uint32_t *ap, long ep, const uint32_t *bt,
                                             long lp, float *s) {
    long j0 = 0;
    for (; j0 + 32 <= lp; j0 += 32) {
        __m512 acc[BF_RB][2];
        for (int r = 0; r < BF_RB; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
        for (long c = 0; c < ep; c++) {
            __m512bh b0 = (__m512bh)_mm512_loadu_si512(bt + c * lp + j0);
            __m512bh b1 = (__m512bh)_mm512_loadu_si512(bt + c * lp + j0 + 16);
            for (int r = 0; r < BF_RB; r++) {
                __m512bh x = (__m512bh)_mm512_set1_epi32((int)ap[r * ep + c]);
                acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, b0);
                acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, b1);
            }
        }
        for (int r = 0; r < BF_RB; r++) {
            _mm512_storeu_ps(s + r * lp + j0, acc[r][0]);
            _mm512_storeu_ps(s + r * lp + j0 + 16, acc[r][1]);
        }
    }
    if (j0 < lp) {
        __m512 acc[BF_RB];
        for (int r = 0; r < BF_RB; r++) acc[r] = _mm512_setzero_ps();
        for (long c = 0; c < ep; c++) {
            __m512bh b0 = (__m512bh)_mm512_loadu_si512(bt + c * lp + j0);
            for (int r = 0; r < BF_RB; r++)
                acc[r] =
                    _mm512_dpbf16_ps(acc[r], (__m512bh)_mm512_set1_epi32((int)ap[r * ep + c]), b0);
        }
        for (int r = 0; r < BF_RB; r++) _mm512_storeu_ps(s + r * lp + j0, acc[r]);
    }
}

// out_r[c] = alpha_r · Σ_j p[r][j] · b[j][c] for the first `rows` rows, over pairs of j:
// pp [BF_RB][lp/2] (each row's pairs; 0 past l), bp [pairs][e] (pairs of b's rows)
BF_TARGET ALWAYS_INLINE void bf_block_times(const uint32_t *pp, long lph, long pairs,
                                            const uint32_t *bp, long e, const float alpha[BF_RB],
                                            float *out, long ldo, long rows) {
    for (long c0 = 0; c0 < e; c0 += 16) {
        __m512 acc[BF_RB];
        for (int r = 0; r < BF_RB; r++) acc[r] = _mm512_setzero_ps();
        for (long p = 0; p < pairs; p++) {
            __m512bh b = (__m512bh)_mm512_loadu_si512(bp + p * e + c0);
            for (int r = 0; r < BF_RB; r++)
                acc[r] =
                    _mm512_dpbf16_ps(acc[r], (__m512bh)_mm512_set1_epi32((int)pp[r * lph + p]), b);
        }
        for (long r = 0; r < rows; r++)
            _mm512_storeu_ps(out + r * ldo + c0, _mm512_mul_ps(acc[r], _mm512_set1_ps(alpha[r])));
    }
}

// acc[j][c] += Σ_r p[r][j] · a'_r[c] for j < l over pairs of rows: pq [BF_RB/2][lp] (pairs of
// p's rows), aq [BF_RB/2][e] (pairs of the rows a'_r, each already times its factor)
BF_TARGET ALWAYS_INLINE void bf_block_rank_update(const uint32_t *pq, long lp, long l,
                                                  const uint32_t *aq, long e, float *acc) {
    for (long c0 = 0; c0 < e; c0 += 16) {
        __m512bh a[BF_RB / 2];
        for (int s = 0; s < BF_RB / 2; s++) a[s] = (__m512bh)_mm512_loadu_si512(aq + s * e + c0);
        for (long j = 0; j < l; j++) {
            float *row = acc + j * e + c0;
            // two chains of two, not one of four
            __m512 x = _mm512_dpbf16_ps(_mm512_loadu_ps(row),
                                        (__m512bh)_mm512_set1_epi32((int)pq[j]), a[0]);
            __m512 y = _mm512_dpbf16_ps(_mm512_setzero_ps(),
                                        (__m512bh)_mm512_set1_epi32((int)pq[lp + j]), a[1]);
            x = _mm512_dpbf16_ps(x, (__m512bh)_mm512_set1_epi32((int)pq[2 * lp + j]), a[2]);
            y = _mm512_dpbf16_ps(y, (__m512bh)_mm512_set1_epi32((int)pq[3 * lp + j]), a[3]);
            _mm512_storeu_ps(row, _mm512_add_ps(x, y));
        }
    }
}

// pq[s][j] = (p[2s][j], p[2s + 1][j]) for s < BF_RB/2, j < lp
BF_TARGET ALWAYS_INLINE void bf_rows_in_pairs(const float *p, long lp, uint32_t *pq) {
    for (int s = 0; s < BF_RB / 2; s++)
        bf_cross_pairs(p + 2 * s * lp, p + (2 * s + 1) * lp, lp, 1, 1, pq + s * lp);
}

// Floats (or pairs) of scratch the bfloat16 kernels use beyond snip_attention_scratch's: see
// the layouts below (lp: l padded to 16).
ALWAYS_INLINE long attention_bf16_scratch(long l, long e) {
    long lp = (l + 15) / 16 * 16;
    return e * lp + (l + 1) / 2 * e + 2 * BF_RB * lp + 2 * l * e + BF_RB * lp / 2 + 2 * BF_RB * e +
           BF_RB * e;
}

BF_TARGET static void attention_forward_bf16(const float *q, const float *k, const float *v,
                                             long ld, float *o, long ldo, long l, long e,
                                             float scale, float *scratch) {
    long lp = (l + 15) / 16 * 16, ep = e / 2, pairs = (l + 1) / 2;
    uint32_t *kt = (uint32_t *)scratch;  // [ep][lp]: scale · log2 e · Kᵀ as pairs along e
    uint32_t *vp = kt + ep * lp;  // [pairs][e]: V as pairs of rows
    float *s = (float *)(vp + pairs * e);  // [BF_RB][lp]: a block's scores, then weights
    uint32_t *pp = (uint32_t *)(s + BF_RB * lp);  // [BF_RB][lp/2]: the weights as pairs
    uint32_t *qp = pp + BF_RB * lp / 2;  // [BF_RB][ep]: the block's query rows as pairs
    bf_transposed_pairs(k, ld, l, e, scale * LOG2E, kt, lp);
    bf_row_pair_rows(v, ld, l, e, vp);
    for (long i0 = 0; i0 < l; i0 += BF_RB) {
        long rows = l - i0 < BF_RB ? l - i0 : BF_RB;
        for (int r = 0; r < BF_RB; r++)
            bf_row_pairs(q + (i0 + (r < rows ? r : rows - 1)) * ld, e, 1, qp + r * ep);
        bf_block_scores(qp, ep, kt, lp, s);
        float inverse[BF_RB];
        for (int r = 0; r < BF_RB; r++) {
            inverse[r] = 1.0f / exp_row_avx512(s + r * lp, l, lp);
            bf_row_pairs(s + r * lp, lp, 1, pp + r * (lp / 2));
        }
        bf_block_times(pp, lp / 2, pairs, vp, e, inverse, o + i0 * ldo, ldo, rows);
    }
}

BF_TARGET static void attention_backward_bf16(const float *q, const float *k, const float *v,
                                              long ld, const float *g, long ldg, float *dq,
                                              float *dk, float *dv, long ldd, long l, long e,
                                              float scale, float *scratch) {
    long lp = (l + 15) / 16 * 16, ep = e / 2, pairs = (l + 1) / 2;
    uint32_t *kt = (uint32_t *)scratch;  // [ep][lp]: scale · log2 e · Kᵀ as pairs along e
    uint32_t *vt = kt + ep * lp;  // [ep][lp]: Vᵀ as pairs along e
    uint32_t *kp = vt + ep * lp;  // [pairs][e]: K as pairs of rows
    float *p = (float *)(kp + pairs * e);  // [BF_RB][lp]: a block's weights P
    float *ds = p + BF_RB * lp;  // [BF_RB][lp]: dP, then the score gradients dS
    float *dka = ds + BF_RB * lp;  // [l][e]: dSᵀ Q (times scale at the end)
    float *dva = dka + l * e;  // [l][e]: Pᵀ dO
    uint32_t *panel =
        (uint32_t *)(dva + l * e);  // [BF_RB][lp/2] or [BF_RB/2][lp]: pairs of dS or P
    uint32_t *qp = panel + BF_RB * lp / 2;  // [BF_RB][ep]: the block's query rows as pairs
    uint32_t *gp = qp + BF_RB * ep;  // [BF_RB][ep]: its output-gradient rows
    uint32_t *aq = gp + BF_RB * ep;  // [BF_RB/2][e]: rows of Q or dO as pairs of rows
    bf_transposed_pairs(k, ld, l, e, scale * LOG2E, kt, lp);
    bf_transposed_pairs(v, ld, l, e, 1.0f, vt, lp);
    bf_row_pair_rows(k, ld, l, e, kp);
    memset(dka, 0, sizeof(float) * (size_t)(2 * l * e));
    float scales[BF_RB];
    for (int r = 0; r < BF_RB; r++) scales[r] = scale;
    for (long i0 = 0; i0 < l; i0 += BF_RB) {
        long rows = l - i0 < BF_RB ? l - i0 : BF_RB;
        const float *qr[BF_RB], *gr[BF_RB];
        for (int r = 0; r < BF_RB; r++) {
            long i = i0 + (r < rows ? r : rows - 1);
            qr[r] = q + i * ld;
            gr[r] = g + i * ldg;
            bf_row_pairs(qr[r], e, 1, qp + r * ep);
            bf_row_pairs(gr[r], e, 1, gp + r * ep);
        }
        bf_block_scores(qp, ep, kt, lp, p);
        float inverse[BF_RB];
        for (int r = 0; r < BF_RB; r++) inverse[r] = 1.0f / exp_row_avx512(p + r * lp, l, lp);
        bf_block_scores(gp, ep, vt, lp, ds);  // dP = dO Vᵀ
        block_softmax_backward_avx512(p, ds, lp, l, rows, inverse);  // in float32
        // dQ = scale · dS K
        for (int r = 0; r < BF_RB; r++) bf_row_pairs(ds + r * lp, lp, 1, panel + r * (lp / 2));
        bf_block_times(panel, lp / 2, pairs, kp, e, scales, dq + i0 * ldd, ldd, rows);
        // dK += dSᵀ Q
        bf_rows_in_pairs(ds, lp, panel);
        for (int s = 0; s < BF_RB / 2; s++)
            bf_cross_pairs(qr[2 * s], qr[2 * s + 1], e, 1, 1, aq + s * e);
        bf_block_rank_update(panel, lp, l, aq, e, dka);
        // dV += Pᵀ dO, with P = inverse · E
        bf_rows_in_pairs(p, lp, panel);
        for (int s = 0; s < BF_RB / 2; s++)
            bf_cross_pairs(gr[2 * s], gr[2 * s + 1], e, inverse[2 * s], inverse[2 * s + 1],
                           aq + s * e);
        bf_block_rank_update(panel, lp, l, aq, e, dva);
    }
    for (long j = 0; j < l; j++)
        for (long c0 = 0; c0 < e; c0 += 16) {
            _mm512_storeu_ps(dk + j * ldd + c0, _mm512_mul_ps(_mm512_loadu_ps(dka + j * e + c0),
                                                              _mm512_set1_ps(scale)));
            _mm512_storeu_ps(dv + j * ldd + c0, _mm512_loadu_ps(dva + j * e + c0));
        }
}
