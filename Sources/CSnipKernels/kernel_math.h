// Scalar math cores shared by the kernel files, written branch-free so that loops over them
// vectorise; private to CSnipKernels (not under include/).
#ifndef SNIP_KERNEL_MATH_H
#define SNIP_KERNEL_MATH_H

#include <stdint.h>
#include <string.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE float bits_to_float(int32_t b) { float f; memcpy(&f, &b, 4); return f; }

#define LOG2E 1.44269504088896341f

// The widest vector instruction set this CPU runs, looked up once: 2 AVX-512 (F, VL, BW, DQ),
// 1 AVX2 + FMA, 0 baseline x86-64 (and every other architecture).
static inline int cpu_level(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
            __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
            cached = 2;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            cached = 1;
        else
            cached = 0;
    }
    return cached;
#else
    return 0;
#endif
}

// Whether this CPU has AVX-512 BF16 beside the AVX-512 of cpu_level 2 (the bfloat16 kernels'
// vdpbf16ps and vcvtne2ps2bf16), looked up once.
static inline int cpu_has_bf16(void) {
#if defined(__x86_64__)
    static int cached = -1;
    if (cached < 0) cached = cpu_level() >= 2 && __builtin_cpu_supports("avx512bf16");
    return cached;
#else
    return 0;
#endif
}

// exp: x = n·ln 2 + r with n rounded to nearest (adding and subtracting 1.5·2^23 rounds) and
// |r| ≤ ln 2 / 2, e^r by a degree-7 polynomial, and the scale 2^n applied in two halves so that
// results between FLT_MAX/2 and FLT_MAX and subnormal results come out right.
ALWAYS_INLINE float exp_core(float x) {
    float xc = x < -104.0f ? -104.0f : x;
    xc = xc > 89.0f ? 89.0f : xc;
    float n = (xc * LOG2E + 12582912.0f) - 12582912.0f;
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t ni = (int32_t)n;
    int32_t n1 = ni >> 1;
    int32_t n2 = ni - n1;
    float result = p * bits_to_float((n1 + 127) << 23) * bits_to_float((n2 + 127) << 23);
    return x != x ? x : result;
}

#endif
