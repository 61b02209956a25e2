// Vectorisable float32 kernels with run-time selection between an AVX2+FMA build and a baseline
// build of the same source. The math (Cephes-style range reduction and polynomials) is written
// branch-free so that both builds vectorise it.
#include "snip_kernels.h"
#include <math.h>

#include "kernel_math.h"

ALWAYS_INLINE float tanh_core(float x) {
    float a = fabsf(x);
    // small |x|: odd polynomial (Cephes tanhf)
    float z = x * x;
    float s = -5.70498872745e-3f;
    s = s * z + 2.06390887954e-2f;
    s = s * z - 5.37397155531e-2f;
    s = s * z + 1.33314422036e-1f;
    s = s * z - 3.33332819422e-1f;
    float small = s * z * x + x;
    // large |x|: 1 - 2 / (exp(2|x|) + 1)
    float e = exp_core(a + a);
    float large = 1.0f - 2.0f / (e + 1.0f);
    large = x < 0 ? -large : large;
    float result = a < 0.625f ? small : large;
    return x != x ? x : result;
}

ALWAYS_INLINE float sigmoid_core(float x) { return 1.0f / (1.0f + exp_core(-x)); }

// erf by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7).
ALWAYS_INLINE float erf_core(float x) {
    float a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    float y = 1.0f - p * t * exp_core(-a * a);
    return x < 0 ? -y : y;
}

ALWAYS_INLINE float gelu_core(float x) {
    return 0.5f * x * (1.0f + erf_core(x * 0.70710678118654752f));
}

ALWAYS_INLINE float gelu_grad_core(float x) {
    float cdf = 0.5f * (1.0f + erf_core(x * 0.70710678118654752f));
    float pdf = 0.39894228040143268f * exp_core(-0.5f * x * x);
    return cdf + x * pdf;
}

ALWAYS_INLINE float row_max(const float *x, long n) {
    float m[8];
    for (int k = 0; k < 8; k++) m[k] = -INFINITY;
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) m[k] = x[i + k] > m[k] ? x[i + k] : m[k];
    float best = -INFINITY;
    for (int k = 0; k < 8; k++) best = m[k] > best ? m[k] : best;
    for (; i < n; i++) best = x[i] > best ? x[i] : best;
    return best;
}

ALWAYS_INLINE float row_sum(const float *x, long n) {
    float s[8] = {0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += x[i + k];
    float total = 0;
    for (int k = 0; k < 8; k++) total += s[k];
    for (; i < n; i++) total += x[i];
    return total;
}

ALWAYS_INLINE float row_dot(const float *x, const float *y, long n) {
    float s[8] = {0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) s[k] += x[i + k] * y[i + k];
    float total = 0;
    for (int k = 0; k < 8; k++) total += s[k];
    for (; i < n; i++) total += x[i] * y[i];
    return total;
}

// exp(x - shift) into y, returning the sum of the results.
ALWAYS_INLINE float exp_shifted_sum(const float *x, float *y, long n, float shift) {
    for (long i = 0; i < n; i++) y[i] = exp_core(x[i] - shift);
    return row_sum(y, n);
}

#define ELEMENTWISE(name, core)                                                                   \
    ALWAYS_INLINE void name##_body(const float *x, float *y, long n) {                           \
        for (long i = 0; i < n; i++) y[i] = core(x[i]);                                          \
    }

ELEMENTWISE(exp, exp_core)
ELEMENTWISE(tanh, tanh_core)
ELEMENTWISE(sigmoid, sigmoid_core)
ELEMENTWISE(gelu, gelu_core)

ALWAYS_INLINE void gelu_backward_body(const float *x, const float *dy, float *dx, long n) {
    for (long i = 0; i < n; i++) dx[i] = dy[i] * gelu_grad_core(x[i]);
}

// In place, through one pointer: with two pointers that may alias, the compiler's run-time
// overlap check sends the in-place calls down its scalar path.
ALWAYS_INLINE float exp_shifted_sum_in_place(float *y, long n, float shift) {
    for (long i = 0; i < n; i++) y[i] = exp_core(y[i] - shift);
    return row_sum(y, n);
}

ALWAYS_INLINE void softmax_rows_body(const float *x, float *y, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float m = row_max(xr, cols);
        float total = xr == yr ? exp_shifted_sum_in_place(yr, cols, m) : exp_shifted_sum(xr, yr, cols, m);
        float inv = 1.0f / total;
        for (long i = 0; i < cols; i++) yr[i] *= inv;
    }
}

ALWAYS_INLINE void log_softmax_rows_body(const float *x, float *y, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float m = row_max(xr, cols);
        float s[8] = {0};
        long i = 0;
        for (; i + 8 <= cols; i += 8)
            for (int k = 0; k < 8; k++) s[k] += exp_core(xr[i + k] - m);
        float total = 0;
        for (int k = 0; k < 8; k++) total += s[k];
        for (; i < cols; i++) total += exp_core(xr[i] - m);
        float shift = m + logf(total);
        for (i = 0; i < cols; i++) yr[i] = xr[i] - shift;
    }
}

ALWAYS_INLINE void softmax_backward_rows_body(const float *y, const float *dy, float *dx,
                                              long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        const float *yr = y + r * cols, *gr = dy + r * cols;
        float *dr = dx + r * cols;
        float dot = row_dot(yr, gr, cols);
        if (dr == gr) {
            // in place (see exp_shifted_sum_in_place)
            for (long i = 0; i < cols; i++) dr[i] = yr[i] * (dr[i] - dot);
        } else {
            for (long i = 0; i < cols; i++) dr[i] = yr[i] * (gr[i] - dot);
        }
    }
}

ALWAYS_INLINE void layer_norm_forward_body(const float *x, const float *w, const float *b,
                                           float *y, float *mean, float *rstd, long rows,
                                           long cols, float eps) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float mu = row_sum(xr, cols) / (float)cols;
        float s[8] = {0};
        long i = 0;
        for (; i + 8 <= cols; i += 8)
            for (int k = 0; k < 8; k++) {
                float d = xr[i + k] - mu;
                s[k] += d * d;
            }
        float var = 0;
        for (int k = 0; k < 8; k++) var += s[k];
        for (; i < cols; i++) var += (xr[i] - mu) * (xr[i] - mu);
        var /= (float)cols;
        float rs = 1.0f / sqrtf(var + eps);
        mean[r] = mu;
        rstd[r] = rs;
        if (w && b) {
            for (i = 0; i < cols; i++) yr[i] = (xr[i] - mu) * rs * w[i] + b[i];
        } else {
            for (i = 0; i < cols; i++) {
                float v = (xr[i] - mu) * rs;
                if (w) v *= w[i];
                if (b) v += b[i];
                yr[i] = v;
            }
        }
    }
}

ALWAYS_INLINE void layer_norm_backward_body(const float *dy, const float *x, const float *w,
                                            const float *mean, const float *rstd, float *dx,
                                            float *dw, float *db, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * cols, *gr = dy + r * cols;
        float *dr = dx + r * cols;
        float mu = mean[r], rs = rstd[r];
        // c1 = mean(g * w * xhat), c2 = mean(g * w)
        float s1[8] = {0}, s2[8] = {0};
        long i = 0;
        for (; i + 8 <= cols; i += 8)
            for (int k = 0; k < 8; k++) {
                float g = w ? gr[i + k] * w[i + k] : gr[i + k];
                s1[k] += g * (xr[i + k] - mu) * rs;
                s2[k] += g;
            }
        float c1 = 0, c2 = 0;
        for (int k = 0; k < 8; k++) { c1 += s1[k]; c2 += s2[k]; }
        for (; i < cols; i++) {
            float g = w ? gr[i] * w[i] : gr[i];
            c1 += g * (xr[i] - mu) * rs;
            c2 += g;
        }
        c1 /= (float)cols;
        c2 /= (float)cols;
        for (i = 0; i < cols; i++) {
            float xhat = (xr[i] - mu) * rs;
            float g = w ? gr[i] * w[i] : gr[i];
            dr[i] = rs * (g - xhat * c1 - c2);
        }
        if (dw)
            for (i = 0; i < cols; i++) dw[i] += gr[i] * (xr[i] - mu) * rs;
        if (db)
            for (i = 0; i < cols; i++) db[i] += gr[i];
    }
}

#define BINARY_LOOPS(expr)                                                                        \
    if (sa == 1 && sb == 1) {                                                                     \
        for (long i = 0; i < n; i++) { float x = a[i], z = b[i]; y[i] = expr; }                 \
    } else if (sa == 1 && sb == 0) {                                                              \
        float z = b[0];                                                                           \
        for (long i = 0; i < n; i++) { float x = a[i]; y[i] = expr; }                            \
    } else if (sa == 0 && sb == 1) {                                                              \
        float x = a[0];                                                                           \
        for (long i = 0; i < n; i++) { float z = b[i]; y[i] = expr; }                            \
    } else {                                                                                      \
        for (long i = 0; i < n; i++) { float x = a[i * sa], z = b[i * sb]; y[i] = expr; }        \
    }

ALWAYS_INLINE void binary_body(int op, const float *a, long sa, const float *b, long sb,
                               float *y, long n) {
    switch (op) {
    case SNIP_ADD: BINARY_LOOPS(x + z) break;
    case SNIP_SUB: BINARY_LOOPS(x - z) break;
    case SNIP_MUL: BINARY_LOOPS(x * z) break;
    default: BINARY_LOOPS(x / z) break;
    }
}

ALWAYS_INLINE void affine_body(const float *x, float *y, long n, float scale, float shift) {
    for (long i = 0; i < n; i++) y[i] = x[i] * scale + shift;
}

ALWAYS_INLINE void relu_body(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}

// in place through one pointer (see exp_shifted_sum_in_place)
ALWAYS_INLINE void relu_in_place_body(float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = y[i] > 0 ? y[i] : 0;
}

ALWAYS_INLINE void relu_backward_body(const float *y, const float *dy, float *dx, long n) {
    for (long i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
}

ALWAYS_INLINE void accumulate_body(const float *x, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] += x[i];
}

ALWAYS_INLINE void adam_body(float *p, const float *g, float *m, float *v, long n, float b1,
                             float b2, float c1, float c2, float eps, float scale, float step,
                             float decay) {
#pragma clang fp contract(off)
    for (long i = 0; i < n; i++) {
        float mi = fmaf(c1, g[i], m[i] * b1);
        float vi = fmaf(c2 * g[i], g[i], v[i] * b2);
        float pi = decay != 0 ? fmaf(-decay, p[i], p[i]) : p[i];
        float denominator = sqrtf(vi) * scale + eps;
        m[i] = mi;
        v[i] = vi;
        p[i] = fmaf(-step, mi / denominator, pi);
    }
}

ALWAYS_INLINE void row_sums_body(const float *x, float *out, long rows, long cols) {
    for (long r = 0; r < rows; r++) out[r] = row_sum(x + r * cols, cols);
}

// ---- run-time dispatch: each public function has an AVX2+FMA and a baseline build ----------

#if defined(__x86_64__)
#define HAVE_DISPATCH 1
static int use_avx2(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}
#define AVX2 __attribute__((target("avx2,fma")))
#else
#define HAVE_DISPATCH 0
#define AVX2
#endif

#define DISPATCH(ret, name, params, args)                                                         \
    AVX2 static ret name##_avx2 params { return name##_body args; }                              \
    static ret name##_base params { return name##_body args; }                                   \
    ret snip_##name params {                                                                      \
        if (HAVE_DISPATCH && use_avx2()) return name##_avx2 args;                                \
        return name##_base args;                                                                  \
    }

DISPATCH(void, exp, (const float *x, float *y, long n), (x, y, n))
DISPATCH(void, tanh, (const float *x, float *y, long n), (x, y, n))
DISPATCH(void, sigmoid, (const float *x, float *y, long n), (x, y, n))
DISPATCH(void, gelu, (const float *x, float *y, long n), (x, y, n))
DISPATCH(void, gelu_backward, (const float *x, const float *dy, float *dx, long n), (x, dy, dx, n))
DISPATCH(void, softmax_rows, (const float *x, float *y, long rows, long cols), (x, y, rows, cols))
DISPATCH(void, log_softmax_rows, (const float *x, float *y, long rows, long cols),
         (x, y, rows, cols))
DISPATCH(void, softmax_backward_rows,
         (const float *y, const float *dy, float *dx, long rows, long cols),
         (y, dy, dx, rows, cols))
DISPATCH(void, layer_norm_forward,
         (const float *x, const float *weight, const float *bias, float *y, float *mean,
          float *rstd, long rows, long cols, float eps),
         (x, weight, bias, y, mean, rstd, rows, cols, eps))
DISPATCH(void, layer_norm_backward,
         (const float *dy, const float *x, const float *weight, const float *mean,
          const float *rstd, float *dx, float *dweight, float *dbias, long rows, long cols),
         (dy, x, weight, mean, rstd, dx, dweight, dbias, rows, cols))
DISPATCH(void, binary,
         (int op, const float *a, long sa, const float *b, long sb, float *y, long n),
         (op, a, sa, b, sb, y, n))
DISPATCH(void, affine, (const float *x, float *y, long n, float scale, float shift),
         (x, y, n, scale, shift))
DISPATCH(void, relu, (const float *x, float *y, long n), (x, y, n))
DISPATCH(void, relu_in_place, (float *y, long n), (y, n))
DISPATCH(void, relu_backward, (const float *y, const float *dy, float *dx, long n), (y, dy, dx, n))
DISPATCH(void, accumulate, (const float *x, float *y, long n), (x, y, n))
DISPATCH(void, adam,
         (float *p, const float *g, float *m, float *v, long n, float b1, float b2, float c1,
          float c2, float eps, float scale, float step, float decay),
         (p, g, m, v, n, b1, b2, c1, c2, eps, scale, step, decay))
DISPATCH(void, row_sums, (const float *x, float *out, long rows, long cols), (x, out, rows, cols))
