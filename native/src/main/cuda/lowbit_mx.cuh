// MX block quantization, contract section 4: a mirror of io.lowbit.backend.scalar.ScalarMx
// (scaleExponent, saturationBound, quantizeBlock, dequantizeMx). One work item = one block:
// amax, scale, then encode + dequantize + clip mask of its elements, fused.
#pragma once

#include "lowbit_cast.cuh"

enum { LB_SCALE_FLOOR = 0, LB_SCALE_CEIL = 1, LB_SCALE_EVEN = 2, LB_SCALE_RCEIL = 3 };

static const int LB_NAN_SCALE = 128;  // ScalarMx.NAN_SCALE: scale code 0xFF

// The element format's largest exponent (emax of contract 4.2).
LB_HD int lb_mx_emax(int elem) {
    switch (elem) {
        case LB_E2M1: case LB_E2M3: return 2;
        case LB_E3M2: return 4;
        case LB_E4M3: return 8;
        case LB_E5M2: return 15;
        default: return 0;  // INT8
    }
}

// floor(log2(v)) of a positive finite float32 given by its bits, subnormals included.
LB_HD int lb_floor_log2(uint32_t absBits) {
    int biased = (int) (absBits >> 23);
    return biased == 0 ? (31 - lb_clz32(absBits)) - 149 : biased - 127;
}

// The 24-bit significand with its leading 1 at bit 23 (subnormals normalized).
LB_HD uint32_t lb_significand24(uint32_t absBits) {
    uint32_t biased = absBits >> 23;
    if (biased != 0) return (absBits & 0x7FFFFF) | 0x800000;
    return absBits << (lb_clz32(absBits) - 8);
}

// Bits of the element format's largest finite value (6, 7.5, 28, 448, 57344, 127/64).
LB_HD uint32_t lb_max_finite_bits(int elem) { return lb_float_bits(lb_decode(elem, lb_max_magnitude_code(elem))); }

// Contract 4.2 from amax's bits (sign ignored): e in -127..127, or LB_NAN_SCALE.
LB_HD int lb_mx_scale_exponent(int elem, int mode, uint32_t amaxBits) {
    uint32_t bits = amaxBits & 0x7FFFFFFF;
    if (bits >= 0x7F800000) return LB_NAN_SCALE;
    if (bits == 0) return -127;
    int floorLog2 = lb_floor_log2(bits);
    int e;
    switch (mode) {
        case LB_SCALE_FLOOR:
            e = floorLog2 - lb_mx_emax(elem);
            break;
        case LB_SCALE_CEIL:
            e = floorLog2 + (lb_significand24(bits) == 0x800000 ? 0 : 1) - lb_mx_emax(elem);
            break;
        case LB_SCALE_EVEN: {
            // amax rounded half-up to the mantissa width; a carry may reach the exponent
            uint32_t rounded = bits + (1u << (22 - lb_fmt_mbits(elem)));
            e = lb_floor_log2(rounded) - lb_mx_emax(elem);
            break;
        }
        default: {  // RCEIL: ceil(log2(amax / maxElem)), exact through the significands
            uint32_t maxBits = lb_max_finite_bits(elem);
            int k = lb_floor_log2(maxBits);
            e = floorLog2 - k + (lb_significand24(bits) <= lb_significand24(maxBits) ? 0 : 1);
            break;
        }
    }
    if (e > 127) return LB_NAN_SCALE;
    return lb_max_int(e, -127);
}

// Math.scalb(v, n) for a positive normal float32 v: exact, rounded to nearest even when the
// result is subnormal, +Inf past the largest finite value.
LB_HD uint32_t lb_scalb_bits(uint32_t vBits, int n) {
    int biased = (int) (vBits >> 23) + n;
    uint32_t sig = (vBits & 0x7FFFFF) | 0x800000;
    if (biased >= 255) return 0x7F800000u;
    if (biased >= 1) return ((uint32_t) biased << 23) | (sig & 0x7FFFFF);
    int shift = 1 - biased;  // subnormal: sig * 2^-shift in units of 2^-149
    if (shift > 25) return 0;
    uint32_t q = sig >> shift;
    uint32_t rest = sig & ((1u << shift) - 1);
    uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (q & 1))) q++;
    return q;  // a carry into bit 23 gives the smallest normal, as it should
}

LB_HD float lb_mul_rn(float a, float b) {
#ifdef __CUDA_ARCH__
    return __fmul_rn(a, b);
#else
    return a * b;
#endif
}

struct lb_mx_job {
    int elem, blockSize, axis, mode;
    lb_random random;  // random.enabled = stochastic rounding, word i = row-major index i
    const float* x;
    long long rows, cols;
    uint8_t* scales;   // one per block
    uint8_t* codes;    // optional (null), one per element
    float* dequantized;  // optional
    uint8_t* clipMask;   // optional
};

LB_HD long long lb_mx_blocks_per_line(const lb_mx_job& j) {
    long long line = j.axis == 0 ? j.rows : j.cols;
    return (line + j.blockSize - 1) / j.blockSize;
}

LB_HD long long lb_mx_block_count(const lb_mx_job& j) {
    return j.axis == 0 ? lb_mx_blocks_per_line(j) * j.cols : j.rows * lb_mx_blocks_per_line(j);
}

// Block t (ScalarMx.mxBlocks + quantizeBlock); returns its count of saturated elements.
LB_HD long long lb_mx_block(const lb_mx_job& j, long long t) {
    long long first, count, stride;
    if (j.axis == 0) {
        long long blockRow = t / j.cols, col = t % j.cols;
        long long r0 = blockRow * j.blockSize;
        first = r0 * j.cols + col;
        count = j.rows - r0 < j.blockSize ? j.rows - r0 : j.blockSize;
        stride = j.cols;
    } else {
        long long nb = lb_mx_blocks_per_line(j);
        long long row = t / nb, c0 = (t % nb) * j.blockSize;
        first = row * j.cols + c0;
        count = j.cols - c0 < j.blockSize ? j.cols - c0 : j.blockSize;
        stride = 1;
    }
    // amax as the largest |x| bit pattern: equal to max |x| when all are finite, and
    // >= 0x7F800000 (a NaN scale) when any is NaN or Inf, as Math.max would give.
    uint32_t amaxBits = 0;
    for (long long k = 0, i = first; k < count; k++, i += stride) {
        uint32_t a = lb_float_bits(j.x[i]) & 0x7FFFFFFF;
        if (a > amaxBits) amaxBits = a;
    }
    int e = lb_mx_scale_exponent(j.elem, j.mode, amaxBits);
    uint32_t scaleCode = e == LB_NAN_SCALE ? 0xFF : (uint32_t) (e + 127);
    j.scales[t] = (uint8_t) scaleCode;
    if (e == LB_NAN_SCALE) {
        for (long long k = 0, i = first; k < count; k++, i += stride) {
            if (j.codes) j.codes[i] = 0;
            if (j.dequantized) j.dequantized[i] = lb_bits_float(LB_FLOAT_NAN_BITS);
            if (j.clipMask) j.clipMask[i] = 0;
        }
        return 0;
    }
    float scale = lb_decode(LB_E8M0, scaleCode);
    uint32_t boundBits = lb_scalb_bits(lb_max_finite_bits(j.elem), e);
    long long saturated = 0;
    uint32_t w[4] = {0, 0, 0, 0};
    long long cachedGroup = -1;
    for (long long k = 0, i = first; k < count; k++, i += stride) {
        float xi = j.x[i];
        uint32_t word = 0;
        if (j.random.enabled) {
            if ((i >> 2) != cachedGroup) {
                cachedGroup = i >> 2;
                lb_group_words(j.random, cachedGroup, w);
            }
            word = w[i & 3];
        }
        uint32_t code = lb_encode(j.elem, xi, e, true, j.random.enabled, word);
        bool clipped = (lb_float_bits(xi) & 0x7FFFFFFF) > boundBits;  // |x| > maxElem * 2^e
        if (clipped) saturated++;
        if (j.codes) j.codes[i] = (uint8_t) code;
        if (j.dequantized) j.dequantized[i] = lb_mul_rn(lb_decode(j.elem, code), scale);
        if (j.clipMask) j.clipMask[i] = clipped ? 1 : 0;
    }
    return saturated;
}

// Contract 4.3 dequantization of element i (ScalarMx.dequantizeMx).
LB_HD void lb_mx_dequantize_element(int elem, int blockSize, int axis, const uint8_t* scales, const uint8_t* codes,
                                    long long rows, long long cols, float* out, long long i) {
    long long r = i / cols, c = i % cols;
    long long nb = axis == 0 ? (rows + blockSize - 1) / blockSize : (cols + blockSize - 1) / blockSize;
    long long s = axis == 0 ? (r / blockSize) * cols + c : r * nb + c / blockSize;
    out[i] = lb_mul_rn(lb_decode(elem, codes[i]), lb_decode(LB_E8M0, scales[s]));
}
