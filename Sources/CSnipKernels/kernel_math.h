// Scalar math cores shared by the kernel files, written branch-free so that loops over them
// vectorise; private to CSnipKernels (not under include/).
#ifndef SNIP_KERNEL_MATH_H
#define SNIP_KERNEL_MATH_H

#include <stdint.h>
#include <string.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE float bits_to_float(int32_t b) { float f; memcpy(&f, &b, 4); return f; }

// exp with round-to-nearest range reduction; the scale 2^n is applied in two halves so that
// results between FLT_MAX/2 and FLT_MAX and subnormal results come out right.
ALWAYS_INLINE float exp_core(float x) {
    float xc = x < -104.0f ? -104.0f : x;
    xc = xc > 89.0f ? 89.0f : xc;
    const float shifter = 12582912.0f;  // 1.5 * 2^23: adding and subtracting rounds to integer
    float n = (xc * 1.44269504088896341f + shifter) - shifter;
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
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

// exp for x ≤ 0 (a softmax's max-subtracted scores): the same polynomial as exp_core, with the
// argument clamped below at log(2^-126), so that 2^n is one normal float built from its bits:
// results below 2^-126 come out as about 2^-126 instead of subnormal (nothing, beside the row's
// largest term of 1). NaN stays NaN (the comparison keeps it, the polynomial carries it).
ALWAYS_INLINE float exp_nonpositive_core(float x) {
    float xc = x < -87.33654475f ? -87.33654475f : x;
    const float shifter = 12582912.0f;
    float n = (xc * 1.44269504088896341f + shifter) - shifter;
    float r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    // n is in [-126, 0] (or NaN, when the bits below do not matter)
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
    return p * bits_to_float((int32_t)bits);
}

#endif
