// Scaled block quantization (NVFP4 = UE4M3 scales, or UE5M3), contract section 5: a mirror of
// io.lowbit.backend.scalar.ScalarMx (tensorAmax, tensorEncodeScale, scaledBlocks,
// blockScaleCode, blockEncodeScale, dequantizeScaled). Every float step is one float32
// operation in the contract's order (-fmad=false, correctly rounded division).
//
// The input is float32, or bfloat16 codes (uint16_t) decoded exactly to float32 first
// (lb_scaled_input), after which the math is the same.
#pragma once

#include "lowbit_cast.cuh"

static const int LB_SCALED_BLOCK = 16;
static const uint32_t LB_FLT_MAX_BITS = 0x7F7FFFFFu;

// Element i of the input as float32: a float, or a BF16 code widened exactly (code << 16).
LB_HD float lb_scaled_input(const float* x, long long i) { return x[i]; }
LB_HD float lb_scaled_input(const uint16_t* x, long long i) { return lb_bits_float((uint32_t) x[i] << 16); }

// |x| as bits: for non-NaN values the bit order is the value order, so a max over these bits is
// max |x| (order-free), and any NaN or Inf makes it >= 0x7F800000.
LB_HD uint32_t lb_abs_bits(float x) { return lb_float_bits(x) & 0x7FFFFFFFu; }

// Java's Math.min / Math.max on floats: NaN if either is NaN, -0 below +0.
LB_HD float lb_java_min(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return lb_bits_float(lb_float_bits(a) | lb_float_bits(b));
    return a < b ? a : b;
}

LB_HD float lb_java_max(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return lb_bits_float(lb_float_bits(a) & lb_float_bits(b));
    return a > b ? a : b;
}

// The scale format's largest finite value S (448 or 114688).
LB_HD float lb_scaled_max(int scaleFormat) { return lb_decode(scaleFormat, lb_max_magnitude_code(scaleFormat)); }

// Step 2 (ScalarMx.tensorEncodeScale): encT from a finite amaxT.
LB_HD float lb_scaled_tensor_encode_scale(int scaleFormat, float amaxT) {
    float encT = lb_java_min((lb_scaled_max(scaleFormat) * 6.0f) / amaxT, lb_bits_float(LB_FLT_MAX_BITS));
    return encT == 0.0f ? 1.0f : encT;
}

// Step 3 (ScalarMx.blockScaleCode): the block's scale code from its amax.
LB_HD uint32_t lb_scaled_block_scale_code(int scaleFormat, float encT, float amax) {
    const float oneSixth = 1.0f / 6.0f;  // ScalarMx.ONE_SIXTH, folded to the nearest float32
    float s = lb_scaled_max(scaleFormat);
    float d = amax * (encT * oneSixth);
    d = lb_java_min(d, lb_bits_float(LB_FLT_MAX_BITS));
    d = lb_java_max(-s, lb_java_min(s, d));
    return lb_encode(scaleFormat, d, 0, false, false, 0);
}

// Step 4 (ScalarMx.blockEncodeScale).
LB_HD float lb_scaled_block_encode_scale(float scale, float decT) {
    return lb_java_min(1.0f / (scale * decT), lb_bits_float(LB_FLT_MAX_BITS));
}

template <typename In>
struct lb_scaled_job {
    int scaleFormat;     // LB_UE4M3 or LB_UE5M3
    bool tile16x16;      // amax over the 16x16 tile (rows, cols multiples of 16)
    lb_random random;    // random.enabled = stochastic rounding, word i = row-major index i
    const In* x;
    long long rows, cols;
    uint8_t* scales;     // [rows, ceil(cols/16)]
    uint8_t* codes;      // optional (null), one E2M1 code per element
    float* dequantized;  // optional
    uint8_t* clipMask;   // optional
};

template <typename In>
LB_HD long long lb_scaled_blocks_per_row(const lb_scaled_job<In>& j) { return (j.cols + LB_SCALED_BLOCK - 1) / LB_SCALED_BLOCK; }

template <typename In>
LB_HD long long lb_scaled_block_count(const lb_scaled_job<In>& j) { return j.rows * lb_scaled_blocks_per_row(j); }

// Steps 1's per-element part: the running max of |x| bits over x[i].
template <typename In>
LB_HD uint32_t lb_scaled_amax_step(uint32_t amaxBits, const In* x, long long i) {
    uint32_t a = lb_abs_bits(lb_scaled_input(x, i));
    return a > amaxBits ? a : amaxBits;
}

// encT and decT (steps 1-2) from the tensor's amax bits; false when the tensor holds a NaN or
// Inf (ScalarMx.tensorAmax gives NaN then), and every output is the NaN pattern of contract 5.
LB_HD bool lb_scaled_tensor_scales(int scaleFormat, uint32_t amaxBits, float* encT, float* decT) {
    if (amaxBits >= 0x7F800000u) return false;
    *encT = lb_scaled_tensor_encode_scale(scaleFormat, lb_bits_float(amaxBits));
    *decT = 1.0f / *encT;
    return true;
}

// Steps 3-6 for block t (ScalarMx.scaledBlocks): row t / nb, columns from (t % nb) * 16.
// finite = false: the NaN tensor (scale NaN code, codes 0, dequantized NaN, mask 0).
// Returns the block's saturated count.
template <typename In>
LB_HD long long lb_scaled_block(const lb_scaled_job<In>& j, bool finite, float encT, float decT, long long t) {
    long long nb = lb_scaled_blocks_per_row(j);
    long long row = t / nb;
    long long c0 = (t % nb) * LB_SCALED_BLOCK;
    long long c1 = c0 + LB_SCALED_BLOCK < j.cols ? c0 + LB_SCALED_BLOCK : j.cols;
    if (!finite) {
        j.scales[t] = (uint8_t) lb_nan_code(j.scaleFormat, false);
        for (long long c = c0; c < c1; c++) {
            long long i = row * j.cols + c;
            if (j.codes) j.codes[i] = 0;
            if (j.dequantized) j.dequantized[i] = lb_bits_float(LB_FLOAT_NAN_BITS);
            if (j.clipMask) j.clipMask[i] = 0;
        }
        return 0;
    }
    // amax over the 1x16 block, or over the 16x16 tile holding it (all finite here)
    long long r0 = j.tile16x16 ? row - row % LB_SCALED_BLOCK : row;
    long long r1 = j.tile16x16 ? r0 + LB_SCALED_BLOCK : row + 1;
    uint32_t amaxBits = 0;
    for (long long r = r0; r < r1; r++) {
        for (long long c = c0; c < c1; c++) amaxBits = lb_scaled_amax_step(amaxBits, j.x, r * j.cols + c);
    }
    uint32_t scaleCode = lb_scaled_block_scale_code(j.scaleFormat, encT, lb_bits_float(amaxBits));
    j.scales[t] = (uint8_t) scaleCode;
    float scale = lb_decode(j.scaleFormat, scaleCode);
    float encB = lb_scaled_block_encode_scale(scale, decT);
    long long saturated = 0;
    uint32_t w[4] = {0, 0, 0, 0};
    long long cachedGroup = -1;
    for (long long c = c0; c < c1; c++) {  // steps 5-6
        long long i = row * j.cols + c;
        float v = lb_scaled_input(j.x, i) * encB;
        bool clipped = lb_abs_bits(v) > lb_float_bits(6.0f);  // |v| > 6 (v is never NaN here)
        float clamped = lb_java_max(-6.0f, lb_java_min(6.0f, v));
        uint32_t word = 0;
        if (j.random.enabled) {
            if ((i >> 2) != cachedGroup) {
                cachedGroup = i >> 2;
                lb_group_words(j.random, cachedGroup, w);
            }
            word = w[i & 3];
        }
        uint32_t code = lb_encode(LB_E2M1, clamped, 0, true, j.random.enabled, word);
        if (clipped) saturated++;
        if (j.codes) j.codes[i] = (uint8_t) code;
        if (j.dequantized) j.dequantized[i] = (lb_decode(LB_E2M1, code) * scale) * decT;
        if (j.clipMask) j.clipMask[i] = clipped ? 1 : 0;
    }
    return saturated;
}

// Step 6 for element i (ScalarMx.dequantizeScaled).
LB_HD void lb_scaled_dequantize_element(int scaleFormat, float decT, const uint8_t* scales, const uint8_t* codes,
                                        long long cols, float* out, long long i) {
    long long nb = (cols + LB_SCALED_BLOCK - 1) / LB_SCALED_BLOCK;
    long long r = i / cols, c = i % cols;
    float scale = lb_decode(scaleFormat, scales[r * nb + c / LB_SCALED_BLOCK]);
    out[i] = (lb_decode(LB_E2M1, codes[i]) * scale) * decT;
}

template <typename In>
static inline lb_scaled_job<In> lb_make_scaled_job(int scaleFormat, int tile16x16, int stochastic, long long seed,
                                                   long long offset, int stream, const In* x, long long rows,
                                                   long long cols, uint8_t* scales, uint8_t* codes, float* dequantized,
                                                   uint8_t* clipMask) {
    lb_scaled_job<In> j;
    j.scaleFormat = scaleFormat;
    j.tile16x16 = tile16x16 != 0;
    j.random = lb_make_random(stochastic, seed, offset, stream);
    j.x = x;
    j.rows = rows;
    j.cols = cols;
    j.scales = scales;
    j.codes = codes;
    j.dequantized = dequantized;
    j.clipMask = clipMask;
    return j;
}
