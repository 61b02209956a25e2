// The bfloat16 fused attention of attention_bf16.h on Intel's AMX tiles (narrow_gemm_amx.c says
// when they are there): included by attention.c after attention_bf16.h, whose packers
// (bf_row_pairs, bf_cross_pairs, bf_transposed_pairs, bf_row_pair_rows) and whose AVX-512
// softmax pieces (exp_row_avx512, block_softmax_backward_avx512) it reuses, so the operands are
// rounded as there and the softmax and every sum stay float32. Blocks of 16 query rows; every
// product is a loop of tdpbf16ps over 16 × 16 tiles, its inner dimension padded with zero pairs
// to a multiple of 16 pairs (the head width 16 is 8 pairs: half of each score tile's inner
// dimension is padding, which costs nothing next to the packing and the softmax). The rank
// updates of dK and dV keep their sums in float32 rows [keys][e] that the tiles load and store
// once per query block.

#define AMX_ATTENTION_TARGET                                                                       \
    __attribute__((target(                                                                         \
        "amx-tile,amx-bf16,avx512f,avx512vl,avx512bw,avx512dq,avx512bf16,avx2,fma")))
#define AX_RB 16  // query rows per block: one tile of rows

// The padded sizes: keys to a multiple of 16 (lp), key pairs to a multiple of 16 (lpp), head
// width pairs to a multiple of 16 (ep16).
ALWAYS_INLINE long amx_key_pairs(long lp) { return (lp / 2 + 15) / 16 * 16; }
ALWAYS_INLINE long amx_width_pairs(long e) { return (e / 2 + 15) / 16 * 16; }

// Floats (or pairs) of scratch the AMX kernels use (the larger of forward and backward).
ALWAYS_INLINE long attention_amx_scratch(long l, long e) {
    long lp = (l + 15) / 16 * 16, lpp = amx_key_pairs(lp), ep16 = amx_width_pairs(e);
    return 2 * ep16 * lp + lpp * e + 2 * AX_RB * lp + 2 * lp * e + AX_RB * lpp + 2 * AX_RB * ep16 +
           e * 16 + AX_RB * lp + AX_RB / 2 * e + 16 * 16;
}

// tile 0 += A·B over pairs16 pairs (a multiple of 16): A's 16 rows from `a` (row stride lda
// pairs), B's rows from `b` (row stride ldb pairs), through tiles 4 and 6
AMX_ATTENTION_TARGET ALWAYS_INLINE void amx_accumulate(const uint32_t *a, long lda,
                                                      const uint32_t *b, long ldb, long pairs16) {
    for (long p0 = 0; p0 < pairs16; p0 += 16) {
        _tile_loadd(4, a + p0, lda * 4);
        _tile_loadd(6, b + p0 * ldb, ldb * 4);
        _tile_dpbf16ps(0, 4, 6);
    }
}

// s[16][lp] (row stride lp) = A·B: A [16][pairs16] pairs (row stride lda), B [pairs16][lp]
// pairs (row stride lp).
AMX_ATTENTION_TARGET ALWAYS_INLINE void amx_scores(const uint32_t *a, long lda, const uint32_t *b,
                                                  long lp, long pairs16, float *s) {
    for (long j0 = 0; j0 < lp; j0 += 16) {
        _tile_zero(0);
        amx_accumulate(a, lda, b + j0, lp, pairs16);
        _tile_stored(0, s + j0, lp * 4);
    }
}

// out_r[c] = alpha_r · Σ_p A(r, p) · B(p, c) for r < rows, c < e: A [16][pairs16] pairs (row
// stride pairs16), B [pairs16][e] pairs; `sums` holds one 16 × 16 tile.
AMX_ATTENTION_TARGET ALWAYS_INLINE void amx_times(const uint32_t *a, const uint32_t *b,
                                                 long pairs16, long e, const float *alpha,
                                                 float *out, long ldo, long rows, float *sums) {
    for (long c0 = 0; c0 < e; c0 += 16) {
        _tile_zero(0);
        amx_accumulate(a, pairs16, b + c0, e, pairs16);
        _tile_stored(0, sums, 64);
        for (long r = 0; r < rows; r++)
            _mm512_storeu_ps(out + r * ldo + c0,
                             _mm512_mul_ps(_mm512_loadu_ps(sums + r * 16), _mm512_set1_ps(alpha[r])));
    }
}

// acct[c][j] += Σ_r y_r[c] · x[r][j] for c < e, j < lp over the 16 rows of a block (the
// transpose of dK or dV, so that the rows r are the inner dimension on both sides without
// transposing x): x [16][lp] floats (E or dS; 0 past l and in rows past the block's), y as pairs
// of rows aq [8][e]. pq [16][lp] (its rows 8..<16 zero) and yt [e][16] are scratch.
AMX_ATTENTION_TARGET ALWAYS_INLINE void amx_rank_update(const float *x, long lp,
                                                       const uint32_t *aq, long e, float *acct,
                                                       uint32_t *pq, uint32_t *yt) {
    for (int s = 0; s < AX_RB / 2; s++)
        bf_cross_pairs(x + 2 * s * lp, x + (2 * s + 1) * lp, lp, 1, 1, pq + s * lp);
    for (long c = 0; c < e; c++)
        for (int s = 0; s < 16; s++) yt[c * 16 + s] = s < AX_RB / 2 ? aq[s * e + c] : 0u;
    for (long c0 = 0; c0 < e; c0 += 16) {
        _tile_loadd(4, yt + c0 * 16, 64);
        for (long j0 = 0; j0 < lp; j0 += 16) {
            _tile_loadd(0, acct + c0 * lp + j0, lp * 4);
            _tile_loadd(6, pq + j0, lp * 4);
            _tile_dpbf16ps(0, 4, 6);
            _tile_stored(0, acct + c0 * lp + j0, lp * 4);
        }
    }
}

// out[r][p] = pairs of row r of x (lp floats, row stride lp) for r < 16, zero pairs from lp/2
// to lpp.
AMX_ATTENTION_TARGET ALWAYS_INLINE void amx_rows_as_pairs(const float *x, long lp, long lpp,
                                                         uint32_t *out) {
    for (int r = 0; r < AX_RB; r++) {
        bf_row_pairs(x + r * lp, lp, 1, out + r * lpp);
        memset(out + r * lpp + lp / 2, 0, sizeof(uint32_t) * (size_t)(lpp - lp / 2));
    }
}

// the 16 rows of a block from rows x_i (row stride ld) as pairs along e: out [16][ep16], rows
// past `rows` repeating the last one
AMX_ATTENTION_TARGET ALWAYS_INLINE void amx_block_rows(const float *x, long ld, long i0, long rows,
                                                      long e, long ep16, uint32_t *out) {
    for (int r = 0; r < AX_RB; r++) {
        bf_row_pairs(x + (i0 + (r < rows ? r : rows - 1)) * ld, e, 1, out + r * ep16);
        memset(out + r * ep16 + e / 2, 0, sizeof(uint32_t) * (size_t)(ep16 - e / 2));
    }
}

// [ep16][lp] pairs along e of scale · Xᵀ, its pad rows (pairs e/2..<ep16) zero
AMX_ATTENTION_TARGET static void amx_transposed_pairs(const float *x, long ld, long l, long e,
                                                      float scale, uint32_t *t, long lp,
                                                      long ep16) {
    bf_transposed_pairs(x, ld, l, e, scale, t, lp);
    memset(t + e / 2 * lp, 0, sizeof(uint32_t) * (size_t)((ep16 - e / 2) * lp));
}

// [lpp][e] pairs of X's rows, zero from ⌈l/2⌉ on
AMX_ATTENTION_TARGET static void amx_row_pair_rows(const float *x, long ld, long l, long e,
                                                   uint32_t *out, long lpp) {
    bf_row_pair_rows(x, ld, l, e, out);
    long pairs = (l + 1) / 2;
    memset(out + pairs * e, 0, sizeof(uint32_t) * (size_t)((lpp - pairs) * e));
}

AMX_ATTENTION_TARGET static void attention_forward_amx(const float *q, const float *k,
                                                       const float *v, long ld, float *o, long ldo,
                                                       long l, long e, float scale,
                                                       float *scratch) {
    long lp = (l + 15) / 16 * 16, lpp = amx_key_pairs(lp), ep16 = amx_width_pairs(e);
    uint32_t *kt = (uint32_t *)scratch;           // [ep16][lp]: scale · log2 e · Kᵀ
    uint32_t *vp = kt + ep16 * lp;                // [lpp][e]: V as pairs of rows
    float *s = (float *)(vp + lpp * e);           // [16][lp]: a block's scores, then E
    uint32_t *pp = (uint32_t *)(s + AX_RB * lp);  // [16][lpp]: E as pairs
    uint32_t *qp = pp + AX_RB * lpp;              // [16][ep16]: the block's queries
    float *sums = (float *)(qp + AX_RB * ep16);   // [16][16]
    amx_configure_tiles();
    amx_transposed_pairs(k, ld, l, e, scale * LOG2E, kt, lp, ep16);
    amx_row_pair_rows(v, ld, l, e, vp, lpp);
    for (long i0 = 0; i0 < l; i0 += AX_RB) {
        long rows = l - i0 < AX_RB ? l - i0 : AX_RB;
        amx_block_rows(q, ld, i0, rows, e, ep16, qp);
        amx_scores(qp, ep16, kt, lp, ep16, s);
        float inverse[AX_RB];
        for (int r = 0; r < AX_RB; r++) inverse[r] = 1.0f / exp_row_avx512(s + r * lp, l, lp);
        amx_rows_as_pairs(s, lp, lpp, pp);
        amx_times(pp, vp, lpp, e, inverse, o + i0 * ldo, ldo, rows, sums);
    }
    _tile_release();
}

AMX_ATTENTION_TARGET static void attention_backward_amx(const float *q, const float *k,
                                                        const float *v, long ld, const float *g,
                                                        long ldg, float *dq, float *dk, float *dv,
                                                        long ldd, long l, long e, float scale,
                                                        float *scratch) {
    long lp = (l + 15) / 16 * 16, lpp = amx_key_pairs(lp), ep16 = amx_width_pairs(e);
    uint32_t *kt = (uint32_t *)scratch;            // [ep16][lp]: scale · log2 e · Kᵀ
    uint32_t *vt = kt + ep16 * lp;                 // [ep16][lp]: Vᵀ
    uint32_t *kp = vt + ep16 * lp;                 // [lpp][e]: K as pairs of rows
    float *p = (float *)(kp + lpp * e);            // [16][lp]: a block's E
    float *ds = p + AX_RB * lp;                    // [16][lp]: dP, then dS
    float *dka = ds + AX_RB * lp;                  // [e][lp]: (dSᵀ Q)ᵀ (times scale at the end)
    float *dva = dka + lp * e;                     // [e][lp]: (Pᵀ dO)ᵀ
    uint32_t *panel = (uint32_t *)(dva + lp * e);  // [16][lpp]: dS as pairs along the keys
    uint32_t *qp = panel + AX_RB * lpp;            // [16][ep16]: the block's queries
    uint32_t *gp = qp + AX_RB * ep16;              // [16][ep16]: its output gradients
    uint32_t *yt = gp + AX_RB * ep16;              // [e][16]: Qᵀ or dOᵀ as pairs
    uint32_t *pq = yt + e * 16;                    // [16][lp]: dS or E as pairs of rows
    uint32_t *aq = pq + AX_RB * lp;                // [8][e]: Q or dO as pairs of rows
    float *sums = (float *)(aq + AX_RB / 2 * e);   // [16][16]
    amx_configure_tiles();
    amx_transposed_pairs(k, ld, l, e, scale * LOG2E, kt, lp, ep16);
    amx_transposed_pairs(v, ld, l, e, 1.0f, vt, lp, ep16);
    amx_row_pair_rows(k, ld, l, e, kp, lpp);
    memset(dka, 0, sizeof(float) * (size_t)(2 * lp * e));
    memset(pq + AX_RB / 2 * lp, 0, sizeof(uint32_t) * (size_t)(AX_RB / 2 * lp));  // pairs 8..<16
    float scales[AX_RB];
    for (int r = 0; r < AX_RB; r++) scales[r] = scale;
    for (long i0 = 0; i0 < l; i0 += AX_RB) {
        long rows = l - i0 < AX_RB ? l - i0 : AX_RB;
        const float *qr[AX_RB], *gr[AX_RB];
        for (int r = 0; r < AX_RB; r++) {
            long i = i0 + (r < rows ? r : rows - 1);
            qr[r] = q + i * ld;
            gr[r] = g + i * ldg;
        }
        amx_block_rows(q, ld, i0, rows, e, ep16, qp);
        amx_block_rows(g, ldg, i0, rows, e, ep16, gp);
        amx_scores(qp, ep16, kt, lp, ep16, p);
        float inverse[AX_RB];
        for (int r = 0; r < AX_RB; r++) inverse[r] = 1.0f / exp_row_avx512(p + r * lp, l, lp);
        amx_scores(gp, ep16, vt, lp, ep16, ds);  // dP = dO Vᵀ
        // in float32, 8 rows at a time; rows past `rows` get E = dS = 0
        long first = rows < 8 ? rows : 8;
        block_softmax_backward_avx512(p, ds, lp, l, first, inverse);
        block_softmax_backward_avx512(p + 8 * lp, ds + 8 * lp, lp, l, rows - first, inverse + 8);
        // dQ = scale · dS K
        amx_rows_as_pairs(ds, lp, lpp, panel);
        amx_times(panel, kp, lpp, e, scales, dq + i0 * ldd, ldd, rows, sums);
        // dK += dSᵀ Q
        for (int s = 0; s < AX_RB / 2; s++)
            bf_cross_pairs(qr[2 * s], qr[2 * s + 1], e, 1, 1, aq + s * e);
        amx_rank_update(ds, lp, aq, e, dka, pq, yt);
        // dV += Pᵀ dO, with P = inverse · E
        for (int s = 0; s < AX_RB / 2; s++)
            bf_cross_pairs(gr[2 * s], gr[2 * s + 1], e, inverse[2 * s], inverse[2 * s + 1],
                           aq + s * e);
        amx_rank_update(p, lp, aq, e, dva, pq, yt);
    }
    _tile_release();
    for (long j = 0; j < l; j++)
        for (long c = 0; c < e; c++) {
            dk[j * ldd + c] = scale * dka[c * lp + j];
            dv[j * ldd + c] = dva[c * lp + j];
        }
}
