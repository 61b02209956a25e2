// Hot float32 kernels of SnipTensor, written in C so that the compiler can vectorise them; each
// has an AVX2+FMA variant chosen at run time and a baseline x86-64 variant.
// All functions take contiguous arrays; `n` counts elements, `rows`/`cols` describe row-major
// matrices whose rows are processed independently (callers split rows across threads).
#ifndef SNIP_KERNELS_H
#define SNIP_KERNELS_H

#include <stddef.h>

/// y = exp(x), about 1 ulp; overflow gives inf, underflow 0, NaN stays NaN.
void snip_exp(const float *x, float *y, long n);
/// y = tanh(x).
void snip_tanh(const float *x, float *y, long n);
/// y = 1 / (1 + exp(-x)).
void snip_sigmoid(const float *x, float *y, long n);
/// y = x * Phi(x) (the exact, erf-based GELU), |error| < 2e-7 relative to x.
void snip_gelu(const float *x, float *y, long n);
/// dx = dy * (Phi(x) + x * phi(x)).
void snip_gelu_backward(const float *x, const float *dy, float *dx, long n);

/// Softmax of each row (max-subtracted). y may alias x.
void snip_softmax_rows(const float *x, float *y, long rows, long cols);
/// Log-softmax of each row. y may alias x.
void snip_log_softmax_rows(const float *x, float *y, long rows, long cols);
/// Backward of row softmax: dx = y * (dy - sum(dy * y)).
void snip_softmax_backward_rows(const float *y, const float *dy, float *dx, long rows, long cols);

/// Layer norm of each row with affine weight/bias (either may be NULL for identity);
/// stores each row's mean and 1/sqrt(var + eps) for the backward pass.
void snip_layer_norm_forward(const float *x, const float *weight, const float *bias, float *y,
                             float *mean, float *rstd, long rows, long cols, float eps);
/// Backward of layer norm: writes dx; adds this block's dweight/dbias into the given buffers
/// (either may be NULL).
void snip_layer_norm_backward(const float *dy, const float *x, const float *weight,
                              const float *mean, const float *rstd, float *dx, float *dweight,
                              float *dbias, long rows, long cols);

/// Binary arithmetic codes for `snip_binary`.
enum { SNIP_ADD = 0, SNIP_SUB = 1, SNIP_MUL = 2, SNIP_DIV = 3 };
/// y[i] = a[i*sa] op b[i*sb] for i < n; strides are 0 (broadcast) or 1 in the fast paths, any
/// value otherwise.
void snip_binary(int op, const float *a, long sa, const float *b, long sb, float *y, long n);
/// y = x * scale + shift.
void snip_affine(const float *x, float *y, long n, float scale, float shift);
/// y = max(x, 0).
void snip_relu(const float *x, float *y, long n);
/// y = max(y, 0) in place.
void snip_relu_in_place(float *y, long n);
/// dx = y > 0 ? dy : 0 (y is the ReLU output).
void snip_relu_backward(const float *y, const float *dy, float *dx, long n);
/// y += x.
void snip_accumulate(const float *x, float *y, long n);

/// One Adam update of n elements in float32, with the fused multiply-adds PyTorch's kernels use:
/// m = fma(c1, g, m·b1); v = fma(c2·g, g, v·b2); p = fma(−decay, p, p) when decay ≠ 0;
/// p = fma(−step, m / (√v·scale + eps), p).
void snip_adam(float *p, const float *g, float *m, float *v, long n, float b1, float b2, float c1,
               float c2, float eps, float scale, float step, float decay);

/// C = op(A) · op(B) + bias, or C += op(A) · op(B) + bias when `add` ≠ 0, then max(C, 0)
/// where `relu` ≠ 0; row-major with leading dimensions lda, ldb, ldc; `bias` (n values added to
/// every row) may be NULL. For the narrow products of small linear layers on CPUs with
/// AVX-512: the shapes `snip_narrow_gemm_accepts` takes. Returns 1 when it computed the
/// product, 0 (touching nothing) otherwise: the caller then uses BLAS.
int snip_narrow_gemm(int transpose_a, int transpose_b, long m, long n, long k, const float *a,
                     long lda, const float *b, long ldb, const float *bias, int relu, int add,
                     float *c, long ldc);
/// Whether `snip_narrow_gemm` computes this product on this CPU: AVX-512, n a multiple of 16 up
/// to 1024, and A·Bᵀ or A·B with k·n ≤ 65536, or Aᵀ·B with m·n ≤ 65536 (Aᵀ·Bᵀ never).
int snip_narrow_gemm_accepts(int transpose_a, int transpose_b, long m, long n, long k);
/// `snip_narrow_gemm` with both operands rounded to bfloat16 (nearest even) and float32 sums,
/// bias, accumulation and ReLU, on CPUs with AVX-512 BF16 (about twice the multiply-adds per
/// instruction): the same shapes, the same contract, a relative error of about 2⁻⁸ per product
/// term. Returns 0 (touching nothing) where `snip_narrow_gemm_bf16_accepts` refuses.
int snip_narrow_gemm_bf16(int transpose_a, int transpose_b, long m, long n, long k,
                          const float *a, long lda, const float *b, long ldb, const float *bias,
                          int relu, int add, float *c, long ldc);
/// Whether `snip_narrow_gemm_bf16` computes this product on this CPU: AVX-512 BF16 and a shape
/// `snip_narrow_gemm_accepts` takes.
int snip_narrow_gemm_bf16_accepts(int transpose_a, int transpose_b, long m, long n, long k);
/// Whether `snip_narrow_gemm_bf16` runs its products on AMX tiles (Intel Sapphire Rapids and
/// later, Linux granting the tile state, SNIP_AMX not 0) rather than AVX-512 BF16: the same
/// rounded operands and float32 sums, in another order.
int snip_narrow_gemm_bf16_uses_amx(void);

/// Self-attention of one sequence and head, fused: o = softmax(scale · q kᵀ) v, where q, k, v
/// are [l, e] with row stride `ld` and o is [l, e] with row stride `ldo`. Query rows are taken
/// four or eight at a time, so the [l, l] weights never exist as a whole. Needs
/// `snip_attention_supported(e)` and `snip_attention_scratch(l, e)` floats of scratch.
void snip_attention_forward(const float *q, const float *k, const float *v, long ld, float *o,
                            long ldo, long l, long e, float scale, float *scratch);
/// The backward of `snip_attention_forward` from the output gradient g (row stride `ldg`):
/// writes dq, dk, dv (row stride `ldd`), recomputing the weights block by block.
void snip_attention_backward(const float *q, const float *k, const float *v, long ld,
                             const float *g, long ldg, float *dq, float *dk, float *dv, long ldd,
                             long l, long e, float scale, float *scratch);
/// Floats of scratch the attention kernels need for a sequence of l rows and head width e.
long snip_attention_scratch(long l, long e);
/// Whether the fused attention kernels take head width e (a positive multiple of 8).
int snip_attention_supported(long e);
/// `snip_attention_forward` with every product in bfloat16 (operands rounded to nearest even,
/// float32 sums; softmax in float32), on CPUs with AVX-512 BF16 and head widths that are
/// multiples of 16 (`snip_attention_bf16_supported`); returns 0, touching nothing, elsewhere.
/// Scratch as `snip_attention_scratch`.
int snip_attention_forward_bf16(const float *q, const float *k, const float *v, long ld, float *o,
                                long ldo, long l, long e, float scale, float *scratch);
/// The backward of `snip_attention_forward_bf16`, likewise (0 where it is not supported).
int snip_attention_backward_bf16(const float *q, const float *k, const float *v, long ld,
                                 const float *g, long ldg, float *dq, float *dk, float *dv,
                                 long ldd, long l, long e, float scale, float *scratch);
/// Whether the bfloat16 attention kernels run for head width e on this CPU.
int snip_attention_bf16_supported(long e);

/// out[r] = sum of row r (8 partial sums per row).
void snip_row_sums(const float *x, float *out, long rows, long cols);

#endif
