// Fused self-attention of one sequence and head (softmax(scale · Q Kᵀ) V and its backward),
// built three times from attention_body.h: AVX-512 (16 lanes), AVX2+FMA (8 lanes) and baseline
// x86-64 (8 lanes as SSE pairs), chosen at run time.
#include "snip_kernels.h"
#include <math.h>

#include "kernel_math.h"
#include "narrow_gemm_amx.h"

// the baseline build passes 8-lane vectors between always-inlined functions: no call, no ABI
#pragma clang diagnostic ignored "-Wpsabi"

#define RB_MAX 8  // the most query rows per block of any build

// keys padded to a multiple of 32: room for what any build pads to (a multiple of its width)
ALWAYS_INLINE long attention_padded(long l) { return (l + 31) / 32 * 32; }

// t[c][j] = scale · x[j][c] for j < l, 0 for l ≤ j < lp (x has row stride ld)
ALWAYS_INLINE void transpose_padded(const float *x, long ld, long l, long e, float scale,
                                    float *t, long lp) {
    for (long j = 0; j < l; j++)
        for (long c = 0; c < e; c++) t[c * lp + j] = scale * x[j * ld + c];
    for (long c = 0; c < e; c++)
        for (long j = l; j < lp; j++) t[c * lp + j] = 0;
}

int snip_attention_supported(long e) { return e > 0 && e % 8 == 0; }

typedef float vf8 __attribute__((vector_size(32), aligned(4)));

#define VT vf8
#define W 8
#define RB 4
#define NAME(x) x##_base
#define TARGET
#include "attention_body.h"
#undef VT
#undef W
#undef RB
#undef NAME
#undef TARGET

#if defined(__x86_64__)
typedef float vf16 __attribute__((vector_size(64), aligned(4)));

#define VT vf8
#define W 8
#define RB 4
#define NAME(x) x##_avx2
#define TARGET __attribute__((target("avx2,fma")))
#include "attention_body.h"
#undef VT
#undef W
#undef RB
#undef NAME
#undef TARGET

#define VT vf16
#define W 16
#define RB 8
#define NAME(x) x##_avx512
#define TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")))
#include "attention_body.h"
#undef VT
#undef W
#undef RB
#undef NAME
#undef TARGET

#include <immintrin.h>
#include <stdint.h>
#include "attention_bf16.h"
#include "attention_amx.h"
#endif

long snip_attention_scratch(long l, long e) {
    long lp = attention_padded(l);
    long floats = 2 * e * lp + 2 * RB_MAX * lp + 2 * l * e;
#if defined(__x86_64__)
    long bf16 = attention_bf16_scratch(l, e);
    if (bf16 > floats) floats = bf16;
    long amx = attention_amx_scratch(l, e);
    if (amx > floats) floats = amx;
#endif
    return floats;
}

void snip_attention_forward(const float *q, const float *k, const float *v, long ld, float *o,
                            long ldo, long l, long e, float scale, float *scratch) {
    if (l <= 0) return;
#if defined(__x86_64__)
    int lv = cpu_level();
    if (lv == 2 && e % 16 == 0) {
        attention_forward_avx512(q, k, v, ld, o, ldo, l, e, scale, scratch);
        return;
    }
    if (lv >= 1) {
        attention_forward_avx2(q, k, v, ld, o, ldo, l, e, scale, scratch);
        return;
    }
#endif
    attention_forward_base(q, k, v, ld, o, ldo, l, e, scale, scratch);
}

void snip_attention_backward(const float *q, const float *k, const float *v, long ld,
                             const float *g, long ldg, float *dq, float *dk, float *dv, long ldd,
                             long l, long e, float scale, float *scratch) {
    if (l <= 0) return;
#if defined(__x86_64__)
    int lv = cpu_level();
    if (lv == 2 && e % 16 == 0) {
        attention_backward_avx512(q, k, v, ld, g, ldg, dq, dk, dv, ldd, l, e, scale, scratch);
        return;
    }
    if (lv >= 1) {
        attention_backward_avx2(q, k, v, ld, g, ldg, dq, dk, dv, ldd, l, e, scale, scratch);
        return;
    }
#endif
    attention_backward_base(q, k, v, ld, g, ldg, dq, dk, dv, ldd, l, e, scale, scratch);
}

int snip_attention_bf16_supported(long e) {
#if defined(__x86_64__)
    return e > 0 && e % 16 == 0 && cpu_has_bf16();
#else
    (void)e;
    return 0;
#endif
}

int snip_attention_forward_bf16(const float *q, const float *k, const float *v, long ld, float *o,
                                long ldo, long l, long e, float scale, float *scratch) {
    if (!snip_attention_bf16_supported(e)) return 0;
#if defined(__x86_64__)
    if (l > 0 && amx_available())
        attention_forward_amx(q, k, v, ld, o, ldo, l, e, scale, scratch);
    else if (l > 0)
        attention_forward_bf16(q, k, v, ld, o, ldo, l, e, scale, scratch);
#endif
    return 1;
}

int snip_attention_backward_bf16(const float *q, const float *k, const float *v, long ld,
                                 const float *g, long ldg, float *dq, float *dk, float *dv,
                                 long ldd, long l, long e, float scale, float *scratch) {
    if (!snip_attention_bf16_supported(e)) return 0;
#if defined(__x86_64__)
    if (l > 0 && amx_available())
        attention_backward_amx(q, k, v, ld, g, ldg, dq, dk, dv, ldd, l, e, scale, scratch);
    else if (l > 0)
        attention_backward_bf16(q, k, v, ld, g, ldg, dq, dk, dv, ldd, l, e, scale, scratch);
#endif
    return 1;
}
