// Element encode/decode of contract section 2; a line-by-line mirror of
// io.lowbit.backend.scalar.ScalarCodec (same variable names, same integer steps), so the two
// can be read side by side. Integer arithmetic only: no floating-point rounding happens here.
#pragma once

#include "lowbit_common.cuh"
#include "lowbit_philox.cuh"

// Format ids, fixed by io.lowbit.cuda.NativeFormats (checked by a host test against
// io.lowbit.ElementFormat: bits, mantissa bits, bias, signedness, largest finite code).
enum {
    LB_E2M1 = 0, LB_E2M3 = 1, LB_E3M2 = 2, LB_E4M3 = 3, LB_E5M2 = 4, LB_INT8 = 5,
    LB_E8M0 = 6, LB_UE4M3 = 7, LB_UE5M3 = 8, LB_BF16 = 9, LB_FP16 = 10, LB_FORMAT_COUNT = 11
};

LB_HD int lb_fmt_bits(int f) {
    switch (f) {
        case LB_E2M1: return 4;
        case LB_E2M3: case LB_E3M2: return 6;
        case LB_BF16: case LB_FP16: return 16;
        default: return 8;
    }
}

LB_HD int lb_fmt_mbits(int f) {
    switch (f) {
        case LB_E2M1: return 1;
        case LB_E2M3: return 3;
        case LB_E3M2: return 2;
        case LB_E4M3: return 3;
        case LB_E5M2: return 2;
        case LB_INT8: return 6;
        case LB_E8M0: return 0;
        case LB_UE4M3: return 3;
        case LB_UE5M3: return 3;
        case LB_BF16: return 7;
        default: return 10;  // FP16
    }
}

LB_HD int lb_fmt_bias(int f) {
    switch (f) {
        case LB_E2M1: case LB_E2M3: return 1;
        case LB_E3M2: return 3;
        case LB_E4M3: case LB_UE4M3: return 7;
        case LB_E5M2: case LB_UE5M3: case LB_FP16: return 15;
        case LB_INT8: return 0;
        default: return 127;  // E8M0, BF16
    }
}

LB_HD bool lb_fmt_signed(int f) { return f != LB_E8M0 && f != LB_UE4M3 && f != LB_UE5M3; }

// Largest finite magnitude code (sign bit clear): ScalarCodec.maxMagnitudeCode.
LB_HD uint32_t lb_max_magnitude_code(int f) {
    switch (f) {
        case LB_E2M1: return 0x7;
        case LB_E2M3: case LB_E3M2: return 0x1F;
        case LB_E4M3: case LB_UE4M3: return 0x7E;
        case LB_E5M2: return 0x7B;
        case LB_UE5M3: return 0xFE;
        case LB_BF16: return 0x7F7F;
        case LB_FP16: return 0x7BFF;
        case LB_INT8: return 0x7F;
        default: return 0xFE;  // E8M0
    }
}

// Contract 2.3: the NaN code, or the positive maximum for formats without NaN.
LB_HD uint32_t lb_nan_code(int f, bool negative) {
    uint32_t sign = negative ? 1u << (lb_fmt_bits(f) - 1) : 0u;
    switch (f) {
        case LB_E4M3: return sign | 0x7F;
        case LB_E5M2: return sign | 0x7E;
        case LB_BF16: return sign | 0x7FC0;
        case LB_FP16: return sign | 0x7E00;
        case LB_E8M0: case LB_UE5M3: return 0xFF;
        case LB_UE4M3: return 0x7F;
        default: return lb_max_magnitude_code(f);  // E2M1, E2M3, E3M2, INT8: positive maximum
    }
}

// Contract 2.2: beyond the largest finite value (or +-Inf).
LB_HD uint32_t lb_overflow_code(int f, bool negative, bool saturate) {
    if (f == LB_E8M0) return saturate && !negative ? 0xFE : 0xFF;
    if (!lb_fmt_signed(f) && negative) return lb_nan_code(f, false);
    if (f == LB_INT8) return negative ? 0x81 : 0x7F;  // -127, 127
    uint32_t sign = (negative && lb_fmt_signed(f)) ? 1u << (lb_fmt_bits(f) - 1) : 0u;
    if (saturate) return sign | lb_max_magnitude_code(f);
    switch (f) {
        case LB_E4M3: case LB_UE4M3: case LB_UE5M3: return lb_nan_code(f, negative);
        case LB_E5M2: return sign | 0x7C;
        case LB_BF16: return sign | 0x7F80;
        case LB_FP16: return sign | 0x7C00;
        default: return sign | lb_max_magnitude_code(f);  // E2M1, E2M3, E3M2 always saturate
    }
}

// E8M0: the nearest power of two, ties to the larger (contract 2.2). bits: a finite input.
LB_HD uint32_t lb_encode_e8m0(uint32_t bits, int scaleExp, bool saturate, bool stochastic, uint32_t word) {
    if ((int32_t) bits < 0 || bits == 0) return 0xFF;  // zero and negatives
    int biasedExp = (int) ((bits >> 23) & 0xFF);
    uint32_t fraction = bits & 0x7FFFFF;
    int e;
    int64_t frac23;
    if (biasedExp == 0) {  // normalize subnormals: value = 1.f * 2^e
        int lead = 31 - lb_clz32(fraction);
        e = lead - 149;
        frac23 = ((int64_t) fraction - ((int64_t) 1 << lead)) << (23 - lead);
    } else {
        e = biasedExp - 127;
        frac23 = fraction;
    }
    e -= scaleExp;
    bool up;
    if (stochastic) {
        up = frac23 != 0 && (int64_t) word < (frac23 << 9);
    } else {
        up = frac23 >= ((int64_t) 1 << 22);  // half or more of the way to the next power: up
    }
    if (up) e++;
    if (e > 127) return saturate ? 0xFE : 0xFF;
    if (e < -127) return 0;
    return (uint32_t) (e + 127);
}

// Encodes x * 2^-scaleExp (the product taken exactly) to format f: ScalarCodec.encode.
// stochastic: contract 2.4 with the unsigned 32-bit word; else round to nearest even (2.2).
// scaleExp must stay within +-2^20 (MX scales are within +-127), so no int overflows.
LB_HD uint32_t lb_encode(int f, float x, int scaleExp, bool saturate, bool stochastic, uint32_t word) {
    uint32_t bits = lb_float_bits(x);
    bool negative = (bits >> 31) != 0;
    int biasedExp = (int) ((bits >> 23) & 0xFF);
    uint32_t fraction = bits & 0x7FFFFF;

    if (biasedExp == 0xFF) {
        return fraction != 0 ? lb_nan_code(f, negative) : lb_overflow_code(f, negative, saturate);
    }
    if (f == LB_E8M0) return lb_encode_e8m0(bits, scaleExp, saturate, stochastic, word);
    bool isSigned = lb_fmt_signed(f);
    if (!isSigned && negative && ((uint32_t) biasedExp | fraction) != 0) {
        return lb_nan_code(f, false);  // UE4M3/UE5M3: a negative nonzero input is NaN
    }
    uint32_t sign = (negative && isSigned && f != LB_INT8) ? 1u << (lb_fmt_bits(f) - 1) : 0u;
    if (((uint32_t) biasedExp | fraction) == 0) return sign;  // signed zero

    // |x| * 2^-scaleExp = sig * 2^exp2, sig a 24-bit (or smaller, subnormal) integer.
    int64_t sig = biasedExp == 0 ? (int64_t) fraction : (int64_t) (fraction | 0x800000);
    int exp2 = (biasedExp == 0 ? -149 : biasedExp - 150) - scaleExp;

    // The quantum of the target's representable values around this magnitude.
    int m = lb_fmt_mbits(f);
    int quantumExp;
    int emin;
    if (f == LB_INT8) {
        quantumExp = -6;  // a fixed-point grid: code x 2^-6
        emin = 0;
    } else {
        emin = 1 - lb_fmt_bias(f);
        int valueExp = (63 - lb_clz64((uint64_t) sig)) + exp2;
        quantumExp = lb_max_int(valueExp, emin) - m;
    }

    // N = floor(value / 2^quantumExp), with the dropped bits kept for rounding.
    int shift = exp2 - quantumExp;
    int64_t n;
    bool roundUp;
    if (shift >= 0) {
        n = sig << lb_min_int(shift, 38);  // exact; shift > 0 only for INT8 and small inputs
        roundUp = false;
    } else {
        int drop = -shift;
        int64_t floorN = drop >= 63 ? 0 : sig >> drop;
        int64_t rest = drop >= 63 ? sig : sig & (((int64_t) 1 << drop) - 1);  // in units of 2^-drop
        n = floorN;
        if (rest == 0) {
            roundUp = false;  // exactly representable: never randomized
        } else if (stochastic) {
            // F = floor(2^32 * rest / 2^drop), exact (contract 2.4)
            int64_t fixed = drop <= 32 ? rest << (32 - drop) : (drop - 32 >= 63 ? 0 : rest >> (drop - 32));
            roundUp = (int64_t) word < fixed;
        } else {
            // Compare rest with half a quantum, 2^(drop-1).
            int cmp;
            if (drop - 1 >= 63) {
                cmp = -1;
            } else {
                int64_t half = (int64_t) 1 << (drop - 1);
                cmp = rest < half ? -1 : (rest == half ? 0 : 1);
            }
            roundUp = cmp > 0 || (cmp == 0 && (floorN & 1) == 1);
        }
    }
    if (roundUp) n++;

    if (f == LB_INT8) {
        if (n > 127) n = 127;  // INT8 always saturates (no Inf, no NaN)
        return (uint32_t) (negative ? -n : n) & 0xFF;
    }
    int64_t magnitude = ((int64_t) (quantumExp + m - emin) << m) + n;
    if (magnitude > (int64_t) lb_max_magnitude_code(f)) return lb_overflow_code(f, negative, saturate);
    return sign | (uint32_t) magnitude;
}

// The float32 with value N * 2^k (N < 2^24), built from bits: every decoded value of these
// formats other than zero and E8M0 code 0 is a float32 normal, so no rounding is involved.
LB_HD float lb_exact_float(bool negative, uint32_t N, int k) {
    uint32_t signBits = negative ? 0x80000000u : 0u;
    if (N == 0) return lb_bits_float(signBits);
    int msb = 31 - lb_clz32(N);
    uint32_t expField = (uint32_t) (msb + k + 127);
    uint32_t mantissa = (N << (23 - msb)) & 0x7FFFFF;
    return lb_bits_float(signBits | (expField << 23) | mantissa);
}

static const uint32_t LB_FLOAT_NAN_BITS = 0x7FC00000u;  // Java's Float.NaN

// Contract 2.5: the exact value of a code, as float32 (ScalarCodec.decode).
LB_HD float lb_decode(int f, uint32_t code) {
    int bits = lb_fmt_bits(f);
    code &= (1u << bits) - 1;
    switch (f) {
        case LB_BF16: return lb_bits_float(code << 16);
        case LB_INT8: {
            int v = (int) (int8_t) (uint8_t) code;
            return lb_exact_float(v < 0, (uint32_t) (v < 0 ? -v : v), -6);
        }
        case LB_E8M0:
            if (code == 0xFF) return lb_bits_float(LB_FLOAT_NAN_BITS);
            return lb_bits_float(code == 0 ? 0x00400000u : code << 23);  // code 0: 2^-127, built explicitly
        default: break;
    }
    uint32_t signBit = lb_fmt_signed(f) ? 1u << (bits - 1) : 0u;
    bool negative = (code & signBit) != 0;
    uint32_t magnitude = code & ~signBit;
    if (magnitude > lb_max_magnitude_code(f)) {
        // beyond the largest finite code: Inf for E5M2/FP16, NaN otherwise
        bool inf = (f == LB_E5M2 && magnitude == 0x7C) || (f == LB_FP16 && magnitude == 0x7C00);
        if (inf) return lb_bits_float(negative ? 0xFF800000u : 0x7F800000u);
        return lb_bits_float(LB_FLOAT_NAN_BITS);
    }
    int m = lb_fmt_mbits(f);
    uint32_t expField = magnitude >> m;
    uint32_t mant = magnitude & ((1u << m) - 1);
    int bias = lb_fmt_bias(f);
    return expField == 0
            ? lb_exact_float(negative, mant, 1 - bias - m)
            : lb_exact_float(negative, (1u << m) + mant, (int) expField - bias - m);
}

// ---- per-work-item bodies shared by kernels and host checks --------------------------------
// Work item g covers elements 4g .. 4g+3 (one Philox block of words for stochastic rounding).

struct lb_cast_options {
    bool saturate;
    lb_random random;  // random.enabled = stochastic rounding
};

static inline lb_cast_options lb_make_cast_options(int saturate, int stochastic, long long seed,
                                                   long long offset, int stream) {
    lb_cast_options o;
    o.saturate = saturate != 0;
    o.random = lb_make_random(stochastic, seed, offset, stream);
    return o;
}

template <typename Code>
LB_HD void lb_encode_group(int f, const lb_cast_options& o, const float* x, Code* codes, long long n,
                           long long g) {
    uint32_t w[4];
    lb_group_words(o.random, g, w);
    long long base = g << 2;
    for (int lane = 0; lane < 4 && base + lane < n; lane++) {
        codes[base + lane] = (Code) lb_encode(f, x[base + lane], 0, o.saturate, o.random.enabled, w[lane]);
    }
}

template <typename Code>
LB_HD void lb_decode_group(int f, const Code* codes, float* values, long long n, long long g) {
    long long base = g << 2;
    for (int lane = 0; lane < 4 && base + lane < n; lane++) {
        values[base + lane] = lb_decode(f, (uint32_t) codes[base + lane]);
    }
}

// E2M1 packed two per byte (contract 4.4): element 2j low nibble, 2j+1 high nibble; group g
// writes bytes 2g and 2g+1 (those below ceil(n/2)); a missing last element leaves nibble 0.
LB_HD void lb_encode_packed_e2m1_group(const lb_cast_options& o, const float* x, uint8_t* packed,
                                       long long n, long long g) {
    uint32_t w[4];
    lb_group_words(o.random, g, w);
    long long base = g << 2;
    uint32_t nib[4] = {0, 0, 0, 0};
    for (int lane = 0; lane < 4 && base + lane < n; lane++) {
        nib[lane] = lb_encode(LB_E2M1, x[base + lane], 0, o.saturate, o.random.enabled, w[lane]);
    }
    long long bytes = (n + 1) >> 1;
    if (2 * g < bytes) packed[2 * g] = (uint8_t) (nib[0] | (nib[1] << 4));
    if (2 * g + 1 < bytes) packed[2 * g + 1] = (uint8_t) (nib[2] | (nib[3] << 4));
}
