// Scalar math cores shared by the kernel files, written branch-free so that loops over them
// vectorise; private to CSnipKernels (not under include/).
#ifndef SNIP_KERNEL_MATH_H
#define SNIP_KERNEL_MATH_H

#include <stdint.h>
#include <string.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE float bits_to_float(int32_t b) { float f; memcpy(&f, &b, 4); return f; }

// The core of every exp here, for a float or a vector x of floats (the same expression serves
// both): x = n·ln 2 + r with n rounded to nearest (adding and subtracting 1.5·2^23 rounds) and
// |r| ≤ ln 2 / 2, then e^r ≈ p, a degree-5 polynomial. Sets n and p; the caller clamps x first
// and scales p by 2^n.
#define EXP_REDUCED(x, n, p)                                          \
    do {                                                              \
        n = ((x) * 1.44269504088896341f + 12582912.0f) - 12582912.0f; \
        __typeof__(n) r_ = (x) - n * 0.693359375f;                    \
        r_ = r_ - n * -2.12194440e-4f;                                \
        p = 1.9875691500e-4f * r_ + 1.3981999507e-3f;                 \
        p = p * r_ + 8.3334519073e-3f;                                \
        p = p * r_ + 4.1665795894e-2f;                                \
        p = p * r_ + 1.6666665459e-1f;                                \
        p = p * r_ + 5.0000001201e-1f;                                \
        p = p * r_ * r_ + r_ + 1.0f;                                  \
    } while (0)

// exp; the scale 2^n is applied in two halves so that results between FLT_MAX/2 and FLT_MAX
// and subnormal results come out right.
ALWAYS_INLINE float exp_core(float x) {
    float xc = x < -104.0f ? -104.0f : x;
    xc = xc > 89.0f ? 89.0f : xc;
    float n, p;
    EXP_REDUCED(xc, n, p);
    int32_t ni = (int32_t)n;
    int32_t n1 = ni >> 1;
    int32_t n2 = ni - n1;
    float result = p * bits_to_float((n1 + 127) << 23) * bits_to_float((n2 + 127) << 23);
    return x != x ? x : result;
}

#endif
