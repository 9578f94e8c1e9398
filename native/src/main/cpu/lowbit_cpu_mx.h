/* MXFP4 (contract section 4, E2M1 elements, E8M0 scales) and scaled NVFP4 / UE5M3 1x16
 * (contract section 5) packed quantization with AVX2 + FMA (the scaled rows also with AVX-512F
 * where the CPU has it), bit for bit equal to the Java reference
 * (io.lowbit.backend.scalar.ScalarMx / ScalarCodec) for round to nearest even.
 *
 * Element code, MX (the proof of VectorMx.encodeE2M1): with v = |x| * 2^-e exactly, the E2M1
 * magnitude code is min(rint(2v), 2 + rint(v), 4 + rint(v/2), 7). Each rint is ONE fused
 * multiply-add fma(|x|, 2^(k-e), 2^23 + c): the product is exact inside the FMA (subnormal
 * operands included: no DAZ/FTZ), and the single rounding of the sum (ulp 1 in [2^23, 2^24))
 * is RNE to an integer held in the low bits; c is even, so ties keep the parity of rint.
 * The three sums are positive floats, so their min is an integer min on the bits; sums at or
 * past 2^24 (or Inf) have bits above those of 2^23 + 7, and the packing (below) saturates every
 * magnitude above 7 to 7. The sign is x's sign bit (so -0 and negatives that round to 0 give
 * code 8, as the reference).
 * This needs 2^(1-e) finite, i.e. e >= -126; e = -127 with amax = 0 uses any constants (all
 * products are 0); other blocks (NaN/Inf amax, e = -127 with amax > 0, a short last block)
 * take the scalar path below, a line-by-line port of ScalarCodec.encode.
 *
 * Element code, scaled (the proof of VectorMx.nvfp4PackedBlocks): p = |x| * encB rounded
 * (float32 RNE is sign-symmetric, so p = |x * encB|); E2M1(clamp(p, 6)) is
 * min(rint(2p), 2 + rint(p), 4 + rint(p/2), 7) with fma(p, 2, 2^23), fma(p, 1, 2^23 + 2)
 * (= p + 2^23 + 2 rounded once) and fma(p, 0.5, 2^23 + 4); for p > 6 (Inf included) the min is
 * 7 = E2M1(6). encB > 0 (encT, decT positive: checked), so the sign is x's sign bit.
 * The block scale: d = amax * (encT * (1/6)) in float32, min(d, S) (d >= 0, never NaN), cast
 * RNE on its float bits when normal in the scale format (a carry into the exponent included),
 * else by the scalar port; encB per scale code from a 256-entry table computed per call with
 * the reference's float32 operations (min(1 / (decode(code) * decT), FLT_MAX)).
 *
 * No a*b+c appears in the source outside explicit FMAs (each proven exact above); build with
 * -ffp-contract=off all the same. The library is built without -mavx2: SIMD functions carry
 * target("avx2,fma") and run only after the CPU said it has both (cached).
 *
 * Packing (contract 4.4): element 2j of a row in the low nibble of the row's byte j; row r's
 * bytes start at r * ceil(cols / 2); for odd cols the last byte of a row has high nibble 0.
 * Four vectors of eight 32-bit magnitudes (bits of 2^23 + code) become 16 bytes: minus 2^23's
 * bits, packs 32->16 and packus 16->8 (saturating), min with 7; the signs of x packed the same
 * way (packs keeps a set sign bit down to the byte) set bit 3 by blendv; maddubs with (1, 16)
 * joins neighbouring codes into one byte, packus, one in-lane byte shuffle (lb_cpu_mx_pack32s).
 * Rows are independent (byte-disjoint), so threads may take any row ranges; a call of at least
 * 2^21 elements writes its packed bytes with non-temporal stores (16-byte aligned rows) and
 * ends with an sfence.
 *
 * Cost (session 6's Zen 5 EPYC, one thread, data in L2, per 64 MiB of float32): NVFP4 rows
 * 3.9 ms with AVX2, 2.3 ms with AVX-512; with two threads from memory the NVFP4 quantize pass
 * takes about 1.5 ms and abs_max about 1.5 ms (both near the read bandwidth), MXFP4 about 2.2 ms
 * (benchmarks/RESULTS-mx.md, "Session 6"). */
#ifndef LOWBIT_CPU_MX_H
#define LOWBIT_CPU_MX_H

#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowbit_cpu_features.h"

#define LB_CPU_MX_AVX __attribute__((target("avx2,fma")))

/* A vector constant of 32-bit lanes, made opaque to the compiler by an empty asm: GCC then keeps
 * it in a register or reloads it from the stack, instead of rebuilding it in every loop iteration
 * through a general register and a shuffle-port broadcast (what it does under register pressure
 * for a known constant; measured: 96 -> 78 instructions per MXFP4 block of 32). */
#define LB_CPU_MX_K0(bits) _mm256_castps_si256(_mm256_set1_ps(lb_cpu_mx_bitsf((uint32_t) (bits))))
#define LB_CPU_MX_K(bits) __extension__({ __m256i lb_k_ = LB_CPU_MX_K0(bits); __asm__("" : "+x"(lb_k_)); lb_k_; })
#define LB_CPU_MX_KF(f) _mm256_castsi256_ps(LB_CPU_MX_K(lb_cpu_mx_fbits(f)))

/* ------------------------------------------------------------------ scalar ports of the reference */

static inline uint32_t lb_cpu_mx_fbits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float lb_cpu_mx_bitsf(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline int lb_cpu_mx_clz32(uint32_t x) { return x == 0 ? 32 : __builtin_clz(x); }
static inline int lb_cpu_mx_clz64(uint64_t x) { return x == 0 ? 64 : __builtin_clzll(x); }

/* floor(log2(v)) of a positive finite float32 given by its bits, subnormals included. */
static inline int lb_cpu_mx_floor_log2(uint32_t absBits) {
    int biased = (int) (absBits >> 23);
    return biased == 0 ? (31 - lb_cpu_mx_clz32(absBits)) - 149 : biased - 127;
}

/* The 24-bit significand with its leading 1 at bit 23 (subnormals normalized). */
static inline uint32_t lb_cpu_mx_sig24(uint32_t absBits) {
    if ((absBits >> 23) != 0) return (absBits & 0x7FFFFFu) | 0x800000u;
    return absBits << (lb_cpu_mx_clz32(absBits) - 8);
}

#define LB_CPU_MX_NAN_SCALE 128

/* Contract 4.2 for E2M1 (emax 2, 1 mantissa bit, max 6): e in -127..127, or 128 (scale 0xFF). */
static inline int lb_cpu_mx_scale_exp(int mode, uint32_t amaxBits) {
    uint32_t bits = amaxBits & 0x7FFFFFFFu;
    if (bits >= 0x7F800000u) return LB_CPU_MX_NAN_SCALE;
    if (bits == 0) return -127;
    int fl = lb_cpu_mx_floor_log2(bits);
    int e;
    switch (mode) {
        case 0: e = fl - 2; break;                                                 /* floor */
        case 1: e = fl + (lb_cpu_mx_sig24(bits) == 0x800000u ? 0 : 1) - 2; break;  /* ceil */
        case 2: e = lb_cpu_mx_floor_log2(bits + (1u << 21)) - 2; break;            /* even */
        default: e = fl - 2 + (lb_cpu_mx_sig24(bits) <= 0xC00000u ? 0 : 1); break; /* rceil: 6 = 1.5 * 2^2 */
    }
    if (e > 127) return LB_CPU_MX_NAN_SCALE;
    return e < -127 ? -127 : e;
}

/* ScalarCodec's exact round to nearest even of the magnitude sig * 2^exp2 (sig > 0) to a format
 * with m mantissa bits and minimum exponent emin: the magnitude code (exponent field << m,
 * plus the rounded mantissa), before any saturation or NaN check. */
static inline int64_t lb_cpu_mx_rne_magnitude(int64_t sig, int exp2, int m, int emin) {
    int valueExp = (63 - lb_cpu_mx_clz64((uint64_t) sig)) + exp2;
    int quantumExp = (valueExp > emin ? valueExp : emin) - m;
    int shift = exp2 - quantumExp;
    int64_t n;
    int roundUp = 0;
    if (shift >= 0) {
        n = sig << (shift < 38 ? shift : 38);
    } else {
        int drop = -shift;
        int64_t floorN = drop >= 63 ? 0 : sig >> drop;
        int64_t rest = drop >= 63 ? sig : sig & (((int64_t) 1 << drop) - 1);
        n = floorN;
        if (rest != 0) {
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
    return ((int64_t) (quantumExp + m - emin) << m) + n;
}

/* ScalarCodec.encode(E2M1, x, scaleExp, saturate = true, RNE): the code of x * 2^-scaleExp. */
static inline unsigned lb_cpu_mx_e2m1_encode(uint32_t bits, int scaleExp) {
    unsigned sign = (bits >> 31) ? 8u : 0u;
    int biasedExp = (int) ((bits >> 23) & 0xFF);
    uint32_t fraction = bits & 0x7FFFFFu;
    if (biasedExp == 0xFF) return fraction != 0 ? 7u : (sign | 7u); /* NaN: positive max; Inf: saturate */
    if (((uint32_t) biasedExp | fraction) == 0) return sign;
    int64_t sig = biasedExp == 0 ? (int64_t) fraction : (int64_t) (fraction | 0x800000u);
    int exp2 = (biasedExp == 0 ? -149 : biasedExp - 150) - scaleExp;
    int64_t magnitude = lb_cpu_mx_rne_magnitude(sig, exp2, 1, 0);
    if (magnitude > 7) return sign | 7u;
    return sign | (unsigned) magnitude;
}

/* ScalarCodec.encode(UE4M3 or UE5M3, d, saturate = false, RNE). */
static inline unsigned lb_cpu_mx_ue_encode(uint32_t bits, int bias, unsigned maxMag, unsigned nanCode) {
    int negative = (int) (bits >> 31);
    int biasedExp = (int) ((bits >> 23) & 0xFF);
    uint32_t fraction = bits & 0x7FFFFFu;
    if (biasedExp == 0xFF) return nanCode;                                /* NaN, or Inf (no saturation) */
    if (negative && ((uint32_t) biasedExp | fraction) != 0) return nanCode; /* negative nonzero */
    if (((uint32_t) biasedExp | fraction) == 0) return 0;
    int64_t sig = biasedExp == 0 ? (int64_t) fraction : (int64_t) (fraction | 0x800000u);
    int exp2 = biasedExp == 0 ? -149 : biasedExp - 150;
    int64_t magnitude = lb_cpu_mx_rne_magnitude(sig, exp2, 3, 1 - bias);
    if (magnitude > (int64_t) maxMag) return nanCode;
    return (unsigned) magnitude;
}

/* ScalarCodec.decode of an UE4M3 / UE5M3 code (NaN above maxMag). */
static inline float lb_cpu_mx_ue_decode(unsigned code, int bias, unsigned maxMag) {
    code &= 0xFF;
    if (code > maxMag) return lb_cpu_mx_bitsf(0x7FC00000u);
    if (code == 0) return 0.0f;
    uint32_t expField = code >> 3, mant = code & 7;
    uint32_t N = expField == 0 ? mant : 8 + mant;
    int k = expField == 0 ? 1 - bias - 3 : (int) expField - bias - 3;
    int msb = 31 - lb_cpu_mx_clz32(N);
    return lb_cpu_mx_bitsf(((uint32_t) (msb + k + 127) << 23) | ((N << (23 - msb)) & 0x7FFFFFu));
}

/* Java's Math.min / Math.max on floats: NaN if either is NaN, -0 below +0. */
static inline float lb_cpu_mx_jmin(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return lb_cpu_mx_bitsf(lb_cpu_mx_fbits(a) | lb_cpu_mx_fbits(b));
    return a < b ? a : b;
}

static inline float lb_cpu_mx_jmax(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return lb_cpu_mx_bitsf(lb_cpu_mx_fbits(a) & lb_cpu_mx_fbits(b));
    return a > b ? a : b;
}

/* 2^k as float32 bits, k in -149..127. */
static inline uint32_t lb_cpu_mx_pow2_bits(int k) {
    return k >= -126 ? (uint32_t) (k + 127) << 23 : 0x00800000u >> (-126 - k);
}

/* Code `code` of element c of a row into the row's packed bytes. Elements of a row are written
 * in increasing order: an even element sets its byte (high nibble 0), an odd one ors its nibble in. */
/* max |x[i]| over [from, to) as magnitude bits (NaN above Inf above every finite value): the
 * reference's block amax, for short blocks and tails. */
static inline uint32_t lb_cpu_mx_amax_bits(const float* x, long long from, long long to) {
    uint32_t m = 0;
    for (long long i = from; i < to; i++) {
        uint32_t a = lb_cpu_mx_fbits(x[i]) & 0x7FFFFFFFu;
        if (a > m) m = a;
    }
    return m;
}

static inline void lb_cpu_mx_put_nibble(unsigned char* rowPacked, long long c, unsigned code) {
    if (c & 1) rowPacked[c >> 1] = (unsigned char) (rowPacked[c >> 1] | (code << 4));
    else rowPacked[c >> 1] = (unsigned char) code;
}

/* One MX block by the reference: elements c0 .. c0+count of the row. */
static inline void lb_cpu_mx_mx_block_scalar(const float* xr, long long c0, int count, int mode,
                                             unsigned char* scale, unsigned char* rowPacked) {
    uint32_t amax = lb_cpu_mx_amax_bits(xr, c0, c0 + count);
    int e = lb_cpu_mx_scale_exp(mode, amax);
    *scale = (unsigned char) (e == LB_CPU_MX_NAN_SCALE ? 0xFF : e + 127);
    for (int k = 0; k < count; k++) {
        unsigned code = e == LB_CPU_MX_NAN_SCALE ? 0u : lb_cpu_mx_e2m1_encode(lb_cpu_mx_fbits(xr[c0 + k]), e);
        lb_cpu_mx_put_nibble(rowPacked, c0 + k, code);
    }
}

/* Per-call constants of scaled quantization. */
typedef struct {
    float k6;              /* encT * (1/6), float32 */
    float S;               /* 448 or 114688 */
    float decT;
    int bias;              /* 7 or 15 */
    unsigned maxMag;       /* 0x7E or 0xFE */
    unsigned nanCode;      /* 0x7F or 0xFF */
    uint32_t minNormalBits;/* 2^(1 - bias) */
    uint32_t rebias;       /* (127 - bias) << 3 */
    float encB[256];       /* step 4 per scale code */
} lb_cpu_mx_scaled_params;

static inline void lb_cpu_mx_scaled_init(lb_cpu_mx_scaled_params* P, int scaleFormat, float encT, float decT) {
    P->bias = scaleFormat == 0 ? 7 : 15;
    P->maxMag = scaleFormat == 0 ? 0x7Eu : 0xFEu;
    P->nanCode = scaleFormat == 0 ? 0x7Fu : 0xFFu;
    P->S = scaleFormat == 0 ? 448.0f : 114688.0f;
    P->k6 = encT * (1.0f / 6.0f);
    P->decT = decT;
    P->minNormalBits = lb_cpu_mx_pow2_bits(1 - P->bias);
    P->rebias = (uint32_t) (127 - P->bias) << 3;
    const float fltMax = lb_cpu_mx_bitsf(0x7F7FFFFFu);
    for (int c = 0; c < 256; c++) {
        float scale = lb_cpu_mx_ue_decode((unsigned) c, P->bias, P->maxMag);
        float prod = scale * decT;
        P->encB[c] = lb_cpu_mx_jmin(1.0f / prod, fltMax);
    }
}

/* Step 3, the reference's float32 operations: the block's scale code from its amax bits. */
static inline unsigned lb_cpu_mx_scaled_code_ref(const lb_cpu_mx_scaled_params* P, uint32_t amaxBits) {
    float d = lb_cpu_mx_bitsf(amaxBits) * P->k6;
    d = lb_cpu_mx_jmin(d, lb_cpu_mx_bitsf(0x7F7FFFFFu));
    d = lb_cpu_mx_jmax(-P->S, lb_cpu_mx_jmin(P->S, d));
    return lb_cpu_mx_ue_encode(lb_cpu_mx_fbits(d), P->bias, P->maxMag, P->nanCode);
}

/* Step 3 for a finite amax (bits below Inf's) with k6 > 0: d >= 0 and never NaN, so the
 * reference's min/max chain is min(d, S); a normal d (in the scale format) is rounded on its
 * float bits, a smaller one by the port. */
static inline unsigned lb_cpu_mx_scaled_code(const lb_cpu_mx_scaled_params* P, uint32_t amaxBits) {
    float d = lb_cpu_mx_bitsf(amaxBits) * P->k6;
    if (!(d < P->S)) d = P->S;
    uint32_t b = lb_cpu_mx_fbits(d);
    if (b >= P->minNormalBits) return ((b + ((b >> 20) & 1u) + 0x7FFFFu) >> 20) - P->rebias;
    return lb_cpu_mx_ue_encode(b, P->bias, P->maxMag, P->nanCode);
}

/* One scaled block by the reference: elements c0 .. c0+count of the row. */
static inline void lb_cpu_mx_scaled_block_scalar(const float* xr, long long c0, int count,
                                                 const lb_cpu_mx_scaled_params* P, unsigned char* scale,
                                                 unsigned char* rowPacked) {
    uint32_t amax = lb_cpu_mx_amax_bits(xr, c0, c0 + count);
    unsigned code = lb_cpu_mx_scaled_code_ref(P, amax);
    *scale = (unsigned char) code;
    float encB = P->encB[code];
    for (int k = 0; k < count; k++) {
        float v = xr[c0 + k] * encB;
        float clamped = lb_cpu_mx_jmax(-6.0f, lb_cpu_mx_jmin(6.0f, v));
        lb_cpu_mx_put_nibble(rowPacked, c0 + k, lb_cpu_mx_e2m1_encode(lb_cpu_mx_fbits(clamped), 0));
    }
}

/* ------------------------------------------------------------------ AVX2 pieces */

/* Max of the eight 32-bit lanes (non-negative ints), as an unsigned int. */
LB_CPU_MX_AVX static inline uint32_t lb_cpu_mx_hmax(__m256i m) {
    __m128i t = _mm_max_epi32(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    t = _mm_max_epi32(t, _mm_shuffle_epi32(t, 0x4E));
    t = _mm_max_epi32(t, _mm_shuffle_epi32(t, 0xB1));
    return (uint32_t) _mm_cvtsi128_si32(t);
}

/* The E2M1 magnitude as 2^23 + code (or more: saturated when packed) from the magic sums. */
LB_CPU_MX_AVX static inline __m256i lb_cpu_mx_min3(__m256 r1, __m256 r2, __m256 r4) {
    return _mm256_min_epi32(_mm256_min_epi32(_mm256_castps_si256(r1), _mm256_castps_si256(r2)),
                            _mm256_castps_si256(r4));
}

/* MX magnitudes of 8 elements, a = |x|, under scale 2^e: tw = 2^(1-e), on = 2^-e, hf = 2^(-1-e). */
LB_CPU_MX_AVX static inline __m256i lb_cpu_mx_mx_r(__m256i a, __m256 tw, __m256 on, __m256 hf) {
    __m256 af = _mm256_castsi256_ps(a);
    return lb_cpu_mx_min3(_mm256_fmadd_ps(af, tw, LB_CPU_MX_KF(8388608.0f)),
                          _mm256_fmadd_ps(af, on, LB_CPU_MX_KF(8388610.0f)),
                          _mm256_fmadd_ps(af, hf, LB_CPU_MX_KF(8388612.0f)));
}

/* Scaled magnitudes of 8 elements, a = |x| (bits), encB broadcast. */
LB_CPU_MX_AVX static inline __m256i lb_cpu_mx_nv_r(__m256i a, __m256 encB) {
    __m256 p = _mm256_mul_ps(_mm256_castsi256_ps(a), encB);
    return lb_cpu_mx_min3(_mm256_fmadd_ps(p, LB_CPU_MX_KF(2.0f), LB_CPU_MX_KF(8388608.0f)),
                          _mm256_fmadd_ps(p, LB_CPU_MX_KF(1.0f), LB_CPU_MX_KF(8388610.0f)),
                          _mm256_fmadd_ps(p, LB_CPU_MX_KF(0.5f), LB_CPU_MX_KF(8388612.0f)));
}

/* 32 elements (four vectors of consecutive elements) to 16 packed bytes: r_k magnitudes as from
 * lb_cpu_mx_min3, x_k the inputs (for their sign bits). The magnitudes r - 2^23's bits (>= 0;
 * a zero r pads: negative, packs to 0) are packed to bytes with saturation (signed to 0..0x7FFF,
 * then unsigned to 0..0xFF) and then capped at 7, which is the min with 7;
 * the signs are packed alongside with signed saturation (a negative int32, i.e. a set sign bit,
 * stays negative down to the byte) and set bit 3 by blendv on the bytes' bit 7. */
LB_CPU_MX_AVX static inline __m256i lb_cpu_mx_signs(__m256i x0, __m256i x1, __m256i x2, __m256i x3) {
    return _mm256_packs_epi16(_mm256_packs_epi32(x0, x1), _mm256_packs_epi32(x2, x3));
}

LB_CPU_MX_AVX static inline __m128i lb_cpu_mx_pack32s(__m256i r0, __m256i r1, __m256i r2, __m256i r3, __m256i s) {
    const __m256i base = LB_CPU_MX_K(0x4B000000);
    __m256i a = _mm256_packs_epi32(_mm256_sub_epi32(r0, base), _mm256_sub_epi32(r1, base));
    __m256i b = _mm256_packs_epi32(_mm256_sub_epi32(r2, base), _mm256_sub_epi32(r3, base));
    /* bytes: c0[0..3] c1[0..3] c2[0..3] c3[0..3] | c0[4..7] .. c3[4..7] */
    __m256i e = _mm256_min_epu8(_mm256_packus_epi16(a, b), LB_CPU_MX_K(0x07070707u));
    e = _mm256_blendv_epi8(e, _mm256_or_si256(e, LB_CPU_MX_K(0x08080808u)), s);
    __m256i m = _mm256_maddubs_epi16(e, LB_CPU_MX_K(0x10011001u)); /* lo + 16 * hi per byte pair */
    __m128i r = _mm_packus_epi16(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    return _mm_shuffle_epi8(r, _mm_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15));
}

LB_CPU_MX_AVX static inline __m128i lb_cpu_mx_pack32(__m256i r0, __m256i r1, __m256i r2, __m256i r3,
                                                     __m256i x0, __m256i x1, __m256i x2, __m256i x3) {
    return lb_cpu_mx_pack32s(r0, r1, r2, r3, lb_cpu_mx_signs(x0, x1, x2, x3));
}

/* Software prefetch of the input this many floats (2 KiB) ahead, one per 64-byte line, in the
 * quantizers (not in abs_max, a pure read stream, where it measured slower). On a 64 MiB MXFP4
 * call with two threads it left the best time unchanged and the median time 2-15% shorter
 * (memory bandwidth shared with other machines: noisy). */
#define LB_CPU_MX_AHEAD 512

LB_CPU_MX_AVX static inline void lb_cpu_mx_prefetch32(const float* p) {   /* 32 floats: two lines */
    _mm_prefetch((const char*) (p + LB_CPU_MX_AHEAD), _MM_HINT_T0);
    _mm_prefetch((const char*) (p + LB_CPU_MX_AHEAD + 16), _MM_HINT_T0);
}

LB_CPU_MX_AVX static inline __m256i lb_cpu_mx_load(const float* p) {
    return _mm256_loadu_si256((const __m256i*) p);
}

/* Writes the first n (1..16) bytes of v. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_store_n(unsigned char* dst, __m128i v, int n) {
    if (n == 16) {
        _mm_storeu_si128((__m128i*) dst, v);
    } else {
        unsigned char tmp[16];
        _mm_storeu_si128((__m128i*) tmp, v);
        memcpy(dst, tmp, (size_t) n);
    }
}

/* ------------------------------------------------------------------ MX rows */

/* Added to amax's bits, the exponent field becomes that of 2^(e + 2) (contract 4.2, normal amax):
 * floor: E; ceil: E + 1 unless the fraction is 0; even: amax rounded half-up to 1 mantissa bit;
 * rceil: E + 1 when the fraction is above 0.5 (amax's significand above 6's, 1.5). */
static inline uint32_t lb_cpu_mx_mode_addend(int mode) {
    switch (mode) {
        case 0: return 0;
        case 1: return 0x7FFFFFu;
        case 2: return 0x200000u;
        default: return 0x3FFFFFu;
    }
}

/* Scale byte and FMA constants of an MX block from its amax bits; 0 when the block goes to the
 * scalar path (NaN/Inf amax, or e = -127 with amax > 0). */
static inline int lb_cpu_mx_mx_consts(uint32_t amax, int mode, unsigned char* scale, float k[3]) {
    int e, ec;
    if (amax == 0) {
        e = -127;
        ec = 0; /* every product is 0: any finite constants */
    } else {
        if (amax >= 0x7F800000u) return 0;
        e = lb_cpu_mx_scale_exp(mode, amax);
        if (e < -126) return 0;
        ec = e;
    }
    *scale = (unsigned char) (e + 127);
    k[0] = lb_cpu_mx_bitsf(lb_cpu_mx_pow2_bits(1 - ec));
    k[1] = lb_cpu_mx_bitsf(lb_cpu_mx_pow2_bits(-ec));
    k[2] = lb_cpu_mx_bitsf(lb_cpu_mx_pow2_bits(-1 - ec));
    return 1;
}

/* lb_cpu_mx_mx_consts out of line (the hot loops only take blocks with e in -126..125); on 0
 * the constants are finite dummies (the block is then redone by the scalar path). */
static __attribute__((noinline, cold, unused)) int lb_cpu_mx_mx_consts_slow(uint32_t amax, int mode, unsigned char* scale, float k[3]) {
    int ok = lb_cpu_mx_mx_consts(amax, mode, scale, k);
    if (!ok) {
        k[0] = 2.0f;
        k[1] = 1.0f;
        k[2] = 0.5f;
    }
    return ok;
}

/* The hot path's constants: te = (amax + addend) >> 23 is e + 129; for te in 3..254 (amax normal
 * and finite, e in -126..125) 2^(1-e), 2^-e, 2^(-1-e) are normal floats with exponent fields
 * 257 - te, 256 - te, 255 - te: built from the (broadcast) amax vector m on its bits. */
#define LB_CPU_MX_TE_OK(te) ((uint32_t) (te) - 3u < 252u)

LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_fast_consts(__m256i m, __m256i addv, __m256* tw, __m256* on, __m256* hf) {
    __m256i t = _mm256_slli_epi32(_mm256_srli_epi32(_mm256_add_epi32(m, addv), 23), 23); /* te << 23 */
    __m256i twi = _mm256_sub_epi32(LB_CPU_MX_K(0x80800000u), t);            /* (257 - te) << 23 */
    __m256i oni = _mm256_sub_epi32(twi, LB_CPU_MX_K(1 << 23));
    *tw = _mm256_castsi256_ps(twi);
    *on = _mm256_castsi256_ps(oni);
    *hf = _mm256_castsi256_ps(_mm256_sub_epi32(oni, LB_CPU_MX_K(1 << 23)));
}

/* 16 packed bytes to p: a non-temporal store when nt (p 16-byte aligned; the caller fences). */
LB_CPU_MX_AVX static inline void lb_cpu_mx_store16(unsigned char* p, __m128i v, int nt) {
    if (nt) _mm_stream_si128((__m128i*) p, v);
    else _mm_storeu_si128((__m128i*) p, v);
}

/* 32 elements from xb under one scale: 16 bytes to pb. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_group(const float* xb, __m256 tw, __m256 on, __m256 hf, unsigned char* pb,
                                                    int nt) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    __m256i x0 = lb_cpu_mx_load(xb), x1 = lb_cpu_mx_load(xb + 8);
    __m256i x2 = lb_cpu_mx_load(xb + 16), x3 = lb_cpu_mx_load(xb + 24);
    __m256i r0 = lb_cpu_mx_mx_r(_mm256_and_si256(x0, absMask), tw, on, hf);
    __m256i r1 = lb_cpu_mx_mx_r(_mm256_and_si256(x1, absMask), tw, on, hf);
    __m256i r2 = lb_cpu_mx_mx_r(_mm256_and_si256(x2, absMask), tw, on, hf);
    __m256i r3 = lb_cpu_mx_mx_r(_mm256_and_si256(x3, absMask), tw, on, hf);
    lb_cpu_mx_store16(pb, lb_cpu_mx_pack32(r0, r1, r2, r3, x0, x1, x2, x3), nt);
}

/* A row, blockSize a multiple of 32: one block at a time, amax then codes (the block in L1;
 * for blockSize 32 in registers). */
LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_row32(const float* xr, int cols, int bs, int mode,
                                                    unsigned char* sr, unsigned char* pr, int nt) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    const uint32_t add = lb_cpu_mx_mode_addend(mode);
    const __m256i addv = _mm256_set1_epi32((int) add);
    int nbFull = cols / bs;
    if (bs == 32) {
        for (int b = 0; b < nbFull; b++) {
            const float* xb = xr + (long long) b * 32;
            lb_cpu_mx_prefetch32(xb);
            __m256i x0 = lb_cpu_mx_load(xb), x1 = lb_cpu_mx_load(xb + 8);
            __m256i x2 = lb_cpu_mx_load(xb + 16), x3 = lb_cpu_mx_load(xb + 24);
            __m256i a0 = _mm256_and_si256(x0, absMask), a1 = _mm256_and_si256(x1, absMask);
            __m256i a2 = _mm256_and_si256(x2, absMask), a3 = _mm256_and_si256(x3, absMask);
            __m256i sg = lb_cpu_mx_signs(x0, x1, x2, x3);
            __m256i m = _mm256_max_epi32(_mm256_max_epi32(a0, a1), _mm256_max_epi32(a2, a3));
            m = _mm256_max_epi32(m, _mm256_permute2x128_si256(m, m, 0x01));
            m = _mm256_max_epi32(m, _mm256_shuffle_epi32(m, 0x4E));
            m = _mm256_max_epi32(m, _mm256_shuffle_epi32(m, 0xB1));
            uint32_t amax = (uint32_t) _mm_cvtsi128_si32(_mm256_castsi256_si128(m));
            uint32_t te = (amax + add) >> 23;
            __m256 tw, on, hf;
            if (__builtin_expect(LB_CPU_MX_TE_OK(te), 1)) {
                sr[b] = (unsigned char) (te - 2);
                lb_cpu_mx_mx_fast_consts(m, addv, &tw, &on, &hf);
            } else {
                float k[3];
                if (!lb_cpu_mx_mx_consts_slow(amax, mode, sr + b, k)) {
                    lb_cpu_mx_mx_block_scalar(xr, (long long) b * 32, 32, mode, sr + b, pr);
                    continue;
                }
                tw = _mm256_set1_ps(k[0]);
                on = _mm256_set1_ps(k[1]);
                hf = _mm256_set1_ps(k[2]);
            }
            lb_cpu_mx_store16(pr + (long long) b * 16,
                              lb_cpu_mx_pack32s(lb_cpu_mx_mx_r(a0, tw, on, hf), lb_cpu_mx_mx_r(a1, tw, on, hf),
                                                lb_cpu_mx_mx_r(a2, tw, on, hf), lb_cpu_mx_mx_r(a3, tw, on, hf), sg), nt);
        }
    } else {
        for (int b = 0; b < nbFull; b++) {
            const float* xb = xr + (long long) b * bs;
            __m256i m0 = _mm256_setzero_si256(), m1 = _mm256_setzero_si256();
            for (int i = 0; i < bs; i += 16) {
                _mm_prefetch((const char*) (xb + i + LB_CPU_MX_AHEAD), _MM_HINT_T0);
                m0 = _mm256_max_epi32(m0, _mm256_and_si256(lb_cpu_mx_load(xb + i), absMask));
                m1 = _mm256_max_epi32(m1, _mm256_and_si256(lb_cpu_mx_load(xb + i + 8), absMask));
            }
            __m256i m = _mm256_max_epi32(m0, m1);
            m = _mm256_max_epi32(m, _mm256_permute2x128_si256(m, m, 0x01));
            m = _mm256_max_epi32(m, _mm256_shuffle_epi32(m, 0x4E));
            m = _mm256_max_epi32(m, _mm256_shuffle_epi32(m, 0xB1));
            uint32_t amax = (uint32_t) _mm_cvtsi128_si32(_mm256_castsi256_si128(m));
            uint32_t te = (amax + add) >> 23;
            __m256 tw, on, hf;
            if (__builtin_expect(LB_CPU_MX_TE_OK(te), 1)) {
                sr[b] = (unsigned char) (te - 2);
                lb_cpu_mx_mx_fast_consts(m, addv, &tw, &on, &hf);
            } else {
                float k[3];
                if (!lb_cpu_mx_mx_consts_slow(amax, mode, sr + b, k)) {
                    lb_cpu_mx_mx_block_scalar(xr, (long long) b * bs, bs, mode, sr + b, pr);
                    continue;
                }
                tw = _mm256_set1_ps(k[0]);
                on = _mm256_set1_ps(k[1]);
                hf = _mm256_set1_ps(k[2]);
            }
            unsigned char* pb = pr + (long long) b * (bs / 2);
            for (int i = 0; i < bs; i += 32) lb_cpu_mx_mx_group(xb + i, tw, on, hf, pb + i / 2, nt);
        }
    }
    if ((long long) nbFull * bs < cols) {
        lb_cpu_mx_mx_block_scalar(xr, (long long) nbFull * bs, cols - nbFull * bs, mode, sr + nbFull, pr);
    }
}

/* A row, blockSize 16: two blocks (32 elements) at a time, both amaxes in one vector. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_row16(const float* xr, int cols, int mode, unsigned char* sr,
                                                    unsigned char* pr, int nt) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    const uint32_t add = lb_cpu_mx_mode_addend(mode);
    const __m256i addv = _mm256_set1_epi32((int) add);
    int nbFull = cols / 16;
    int b = 0;
    for (; b + 2 <= nbFull; b += 2) {
        const float* xb = xr + (long long) b * 16;
        lb_cpu_mx_prefetch32(xb);
        __m256i x0 = lb_cpu_mx_load(xb), x1 = lb_cpu_mx_load(xb + 8);
        __m256i x2 = lb_cpu_mx_load(xb + 16), x3 = lb_cpu_mx_load(xb + 24);
        __m256i a0 = _mm256_and_si256(x0, absMask), a1 = _mm256_and_si256(x1, absMask);
        __m256i a2 = _mm256_and_si256(x2, absMask), a3 = _mm256_and_si256(x3, absMask);
        __m256i m01 = _mm256_max_epi32(a0, a1), m23 = _mm256_max_epi32(a2, a3);
        __m256i t = _mm256_max_epi32(_mm256_permute2x128_si256(m01, m23, 0x20), _mm256_permute2x128_si256(m01, m23, 0x31));
        t = _mm256_max_epi32(t, _mm256_shuffle_epi32(t, 0x4E));
        t = _mm256_max_epi32(t, _mm256_shuffle_epi32(t, 0xB1)); /* lanes 0-3: block b, 4-7: block b+1 */
        uint32_t am0 = (uint32_t) _mm_cvtsi128_si32(_mm256_castsi256_si128(t));
        uint32_t am1 = (uint32_t) _mm_cvtsi128_si32(_mm256_extracti128_si256(t, 1));
        uint32_t te0 = (am0 + add) >> 23, te1 = (am1 + add) >> 23;
        __m256 tw0, on0, hf0, tw1, on1, hf1;
        int redo0 = 0, redo1 = 0;
        if (__builtin_expect(LB_CPU_MX_TE_OK(te0) && LB_CPU_MX_TE_OK(te1), 1)) {
            sr[b] = (unsigned char) (te0 - 2);
            sr[b + 1] = (unsigned char) (te1 - 2);
            __m256 tw, on, hf;
            lb_cpu_mx_mx_fast_consts(t, addv, &tw, &on, &hf);
            tw0 = _mm256_permute2f128_ps(tw, tw, 0x00); tw1 = _mm256_permute2f128_ps(tw, tw, 0x11);
            on0 = _mm256_permute2f128_ps(on, on, 0x00); on1 = _mm256_permute2f128_ps(on, on, 0x11);
            hf0 = _mm256_permute2f128_ps(hf, hf, 0x00); hf1 = _mm256_permute2f128_ps(hf, hf, 0x11);
        } else {
            float k0[3], k1[3];
            redo0 = !lb_cpu_mx_mx_consts_slow(am0, mode, sr + b, k0);
            redo1 = !lb_cpu_mx_mx_consts_slow(am1, mode, sr + b + 1, k1);
            tw0 = _mm256_set1_ps(k0[0]); on0 = _mm256_set1_ps(k0[1]); hf0 = _mm256_set1_ps(k0[2]);
            tw1 = _mm256_set1_ps(k1[0]); on1 = _mm256_set1_ps(k1[1]); hf1 = _mm256_set1_ps(k1[2]);
        }
        lb_cpu_mx_store16(pr + (long long) b * 8,
                          lb_cpu_mx_pack32(lb_cpu_mx_mx_r(a0, tw0, on0, hf0), lb_cpu_mx_mx_r(a1, tw0, on0, hf0),
                                           lb_cpu_mx_mx_r(a2, tw1, on1, hf1), lb_cpu_mx_mx_r(a3, tw1, on1, hf1),
                                           x0, x1, x2, x3), nt);
        if (nt && (redo0 | redo1)) _mm_sfence(); /* the scalar redo after the streamed bytes */
        if (redo0) lb_cpu_mx_mx_block_scalar(xr, (long long) b * 16, 16, mode, sr + b, pr);
        if (redo1) lb_cpu_mx_mx_block_scalar(xr, (long long) (b + 1) * 16, 16, mode, sr + b + 1, pr);
    }
    for (; b < nbFull; b++) lb_cpu_mx_mx_block_scalar(xr, (long long) b * 16, 16, mode, sr + b, pr);
    if ((long long) nbFull * 16 < cols) {
        lb_cpu_mx_mx_block_scalar(xr, (long long) nbFull * 16, cols - nbFull * 16, mode, sr + nbFull, pr);
    }
}

/* A row, blockSize 8: four blocks (32 elements) at a time, the four amaxes by a transposing
 * reduction; each block's constants broadcast in-lane (both halves hold all four). */
LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_row8v(const float* xr, int cols, int mode, unsigned char* sr,
                                                    unsigned char* pr, int nt) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    const uint32_t add = lb_cpu_mx_mode_addend(mode);
    const __m256i addv = _mm256_set1_epi32((int) add);
    int nbFull = cols / 8;
    int b = 0;
    for (; b + 4 <= nbFull; b += 4) {
        const float* xb = xr + (long long) b * 8;
        lb_cpu_mx_prefetch32(xb);
        __m256i x0 = lb_cpu_mx_load(xb), x1 = lb_cpu_mx_load(xb + 8);
        __m256i x2 = lb_cpu_mx_load(xb + 16), x3 = lb_cpu_mx_load(xb + 24);
        __m256i a0 = _mm256_and_si256(x0, absMask), a1 = _mm256_and_si256(x1, absMask);
        __m256i a2 = _mm256_and_si256(x2, absMask), a3 = _mm256_and_si256(x3, absMask);
        __m256i t0 = _mm256_max_epi32(_mm256_unpacklo_epi32(a0, a1), _mm256_unpackhi_epi32(a0, a1));
        __m256i t1 = _mm256_max_epi32(_mm256_unpacklo_epi32(a2, a3), _mm256_unpackhi_epi32(a2, a3));
        __m256i u = _mm256_max_epi32(_mm256_unpacklo_epi64(t0, t1), _mm256_unpackhi_epi64(t0, t1));
        __m256i v = _mm256_max_epi32(u, _mm256_permute2x128_si256(u, u, 0x01)); /* lane k (and k+4): block b+k */
        __m128i v128 = _mm256_castsi256_si128(v);
        uint64_t lo = (uint64_t) _mm_cvtsi128_si64(v128), hi = (uint64_t) _mm_extract_epi64(v128, 1);
        uint32_t am[4] = {(uint32_t) lo, (uint32_t) (lo >> 32), (uint32_t) hi, (uint32_t) (hi >> 32)};
        uint32_t te[4];
        int ok = 1;
        for (int k = 0; k < 4; k++) {
            te[k] = (am[k] + add) >> 23;
            ok &= LB_CPU_MX_TE_OK(te[k]);
        }
        __m256 tw[4], on[4], hf[4];
        int redo[4] = {0, 0, 0, 0};
        if (__builtin_expect(ok, 1)) {
            for (int k = 0; k < 4; k++) sr[b + k] = (unsigned char) (te[k] - 2);
            __m256 twv, onv, hfv;
            lb_cpu_mx_mx_fast_consts(v, addv, &twv, &onv, &hfv);
            tw[0] = _mm256_shuffle_ps(twv, twv, 0x00); tw[1] = _mm256_shuffle_ps(twv, twv, 0x55);
            tw[2] = _mm256_shuffle_ps(twv, twv, 0xAA); tw[3] = _mm256_shuffle_ps(twv, twv, 0xFF);
            on[0] = _mm256_shuffle_ps(onv, onv, 0x00); on[1] = _mm256_shuffle_ps(onv, onv, 0x55);
            on[2] = _mm256_shuffle_ps(onv, onv, 0xAA); on[3] = _mm256_shuffle_ps(onv, onv, 0xFF);
            hf[0] = _mm256_shuffle_ps(hfv, hfv, 0x00); hf[1] = _mm256_shuffle_ps(hfv, hfv, 0x55);
            hf[2] = _mm256_shuffle_ps(hfv, hfv, 0xAA); hf[3] = _mm256_shuffle_ps(hfv, hfv, 0xFF);
        } else {
            for (int k = 0; k < 4; k++) {
                float kk[3];
                redo[k] = !lb_cpu_mx_mx_consts_slow(am[k], mode, sr + b + k, kk);
                tw[k] = _mm256_set1_ps(kk[0]);
                on[k] = _mm256_set1_ps(kk[1]);
                hf[k] = _mm256_set1_ps(kk[2]);
            }
        }
        lb_cpu_mx_store16(pr + (long long) b * 4,
                          lb_cpu_mx_pack32(lb_cpu_mx_mx_r(a0, tw[0], on[0], hf[0]), lb_cpu_mx_mx_r(a1, tw[1], on[1], hf[1]),
                                           lb_cpu_mx_mx_r(a2, tw[2], on[2], hf[2]), lb_cpu_mx_mx_r(a3, tw[3], on[3], hf[3]),
                                           x0, x1, x2, x3), nt);
        if (nt && !ok) _mm_sfence(); /* a scalar redo may follow the streamed bytes */
        for (int k = 0; k < 4; k++) {
            if (redo[k]) lb_cpu_mx_mx_block_scalar(xr, (long long) (b + k) * 8, 8, mode, sr + b + k, pr);
        }
    }
    for (; b < nbFull; b++) lb_cpu_mx_mx_block_scalar(xr, (long long) b * 8, 8, mode, sr + b, pr);
    if ((long long) nbFull * 8 < cols) {
        lb_cpu_mx_mx_block_scalar(xr, (long long) nbFull * 8, cols - nbFull * 8, mode, sr + nbFull, pr);
    }
}

#define LB_CPU_MX_MAXV 512 /* vectors of a chunk in lb_cpu_mx_mx_row8 */

/* A row, blockSize another multiple of 8 (24, 40, ...): chunks of whole blocks; pass A writes
 * each vector's FMA constants, pass B encodes 32 elements at a time whatever block they are in;
 * blocks for the scalar path are redone afterwards (they cover whole bytes: even starts). */
LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_row8(const float* xr, int cols, int bs, int mode,
                                                   unsigned char* sr, unsigned char* pr) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    float slot[LB_CPU_MX_MAXV][4] __attribute__((aligned(16)));
    int fix[LB_CPU_MX_MAXV];
    int nbFull = cols / bs;
    int K = 1024 / bs;
    if (K < 1) K = 1;
    while ((K * bs) % 32 != 0) K++;            /* chunks start on 32-element groups; K*bs <= 4072 */
    for (int b0 = 0; b0 < nbFull; b0 += K) {
        int b1 = b0 + K < nbFull ? b0 + K : nbFull;
        int nv = 0, nf = 0;
        for (int b = b0; b < b1; b++) {
            const float* xb = xr + (long long) b * bs;
            __m256i m = _mm256_setzero_si256();
            for (int i = 0; i < bs; i += 8) m = _mm256_max_epi32(m, _mm256_and_si256(lb_cpu_mx_load(xb + i), absMask));
            float k[4] = {2.0f, 1.0f, 0.5f, 0.0f};
            if (!lb_cpu_mx_mx_consts(lb_cpu_mx_hmax(m), mode, sr + b, k)) {
                fix[nf++] = b;
                k[0] = 2.0f; k[1] = 1.0f; k[2] = 0.5f;   /* anything finite: redone below */
            }
            __m128 kv = _mm_loadu_ps(k);
            for (int j = 0; j < bs; j += 8) _mm_store_ps(slot[nv++], kv);
        }
        const float* xc = xr + (long long) b0 * bs;
        unsigned char* pc = pr + (long long) b0 * bs / 2;
        for (int j = 0; j < nv; j += 4) {
            __m256i r[4], xv[4];
            for (int q = 0; q < 4; q++) {
                if (j + q < nv) {
                    xv[q] = lb_cpu_mx_load(xc + 8 * (j + q));
                    r[q] = lb_cpu_mx_mx_r(_mm256_and_si256(xv[q], absMask), _mm256_broadcast_ss(&slot[j + q][0]),
                                          _mm256_broadcast_ss(&slot[j + q][1]), _mm256_broadcast_ss(&slot[j + q][2]));
                } else {
                    xv[q] = r[q] = _mm256_setzero_si256();
                }
            }
            __m128i packedBytes = lb_cpu_mx_pack32(r[0], r[1], r[2], r[3], xv[0], xv[1], xv[2], xv[3]);
            lb_cpu_mx_store_n(pc + 4 * j, packedBytes, nv - j >= 4 ? 16 : 4 * (nv - j));
        }
        for (int f = 0; f < nf; f++) {
            lb_cpu_mx_mx_block_scalar(xr, (long long) fix[f] * bs, bs, mode, sr + fix[f], pr);
        }
    }
    if ((long long) nbFull * bs < cols) {
        lb_cpu_mx_mx_block_scalar(xr, (long long) nbFull * bs, cols - nbFull * bs, mode, sr + nbFull, pr);
    }
}

/* Non-temporal stores of the packed bytes for calls with at least this many elements (8 MiB of
 * input): the output is then streamed past the caches (no read for ownership) on 16-byte aligned rows. */
#define LB_CPU_MX_NT_ELEMENTS (1LL << 21)

LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_rows_avx2(const float* x, int cols, int row0, int row1, int bs,
                                                        int mode, unsigned char* scales, unsigned char* packed) {
    long long nb = (cols + bs - 1) / bs;
    long long rowBytes = ((long long) cols + 1) / 2;
    int ntAllowed = (long long) (row1 - row0) * cols >= LB_CPU_MX_NT_ELEMENTS;
    for (int r = row0; r < row1; r++) {
        const float* xr = x + (long long) r * cols;
        unsigned char* sr = scales + (long long) r * nb;
        unsigned char* pr = packed + (long long) r * rowBytes;
        int nt = ntAllowed && ((uintptr_t) pr & 15) == 0;
        if (bs % 32 == 0) {
            if (mode == 0) {   /* floor: its own copy (addend 0) */
                if (nt) lb_cpu_mx_mx_row32(xr, cols, bs, 0, sr, pr, 1);
                else lb_cpu_mx_mx_row32(xr, cols, bs, 0, sr, pr, 0);
            } else {
                if (nt) lb_cpu_mx_mx_row32(xr, cols, bs, mode, sr, pr, 1);
                else lb_cpu_mx_mx_row32(xr, cols, bs, mode, sr, pr, 0);
            }
        } else if (bs == 16) {
            if (nt) lb_cpu_mx_mx_row16(xr, cols, mode, sr, pr, 1);
            else lb_cpu_mx_mx_row16(xr, cols, mode, sr, pr, 0);
        } else if (bs == 8) {
            if (nt) lb_cpu_mx_mx_row8v(xr, cols, mode, sr, pr, 1);
            else lb_cpu_mx_mx_row8v(xr, cols, mode, sr, pr, 0);
        } else if (bs % 8 == 0) {
            lb_cpu_mx_mx_row8(xr, cols, bs, mode, sr, pr);
        } else {
            for (long long b = 0; b < nb; b++) {
                long long c0 = b * bs;
                int count = (int) (cols - c0 < bs ? cols - c0 : bs);
                lb_cpu_mx_mx_block_scalar(xr, c0, count, mode, sr + b, pr);
            }
        }
    }
    if (ntAllowed) _mm_sfence(); /* the streamed bytes are globally visible before we return */
}

/* ------------------------------------------------------------------ scaled rows */

/* Two scaled blocks (32 elements) with their encB: 16 bytes to pb. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_nv_group(const float* xb, __m256 e0, __m256 e1, unsigned char* pb, int nt) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    __m256i x0 = lb_cpu_mx_load(xb), x1 = lb_cpu_mx_load(xb + 8);
    __m256i x2 = lb_cpu_mx_load(xb + 16), x3 = lb_cpu_mx_load(xb + 24);
    __m256i r0 = lb_cpu_mx_nv_r(_mm256_and_si256(x0, absMask), e0);
    __m256i r1 = lb_cpu_mx_nv_r(_mm256_and_si256(x1, absMask), e0);
    __m256i r2 = lb_cpu_mx_nv_r(_mm256_and_si256(x2, absMask), e1);
    __m256i r3 = lb_cpu_mx_nv_r(_mm256_and_si256(x3, absMask), e1);
    lb_cpu_mx_store16(pb, lb_cpu_mx_pack32(r0, r1, r2, r3, x0, x1, x2, x3), nt);
}

LB_CPU_MX_AVX static inline void lb_cpu_mx_scaled_row(const float* xr, int cols, const lb_cpu_mx_scaled_params* P,
                                                      unsigned char* sr, unsigned char* pr, int nt) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    const __m256 k6v = _mm256_set1_ps(P->k6), Sv = _mm256_set1_ps(P->S);
    const __m256 subScale = _mm256_castsi256_ps(_mm256_set1_epi32((int) lb_cpu_mx_pow2_bits(2 + P->bias))); /* 2^(3 - emin) */
    const __m256i minNormal = _mm256_set1_epi32((int) P->minNormalBits);
    const __m256i rebias = _mm256_set1_epi32((int) P->rebias);
    int nbFull = cols / 16;
    int b = 0;
    for (; b + 8 <= nbFull; b += 8) {    /* eight blocks, 128 elements: scales as one vector */
        const float* xb = xr + (long long) b * 16;
        __m256i m[8];
#define LB_CPU_MX_M(k) m[k] = _mm256_max_epi32(_mm256_and_si256(lb_cpu_mx_load(xb + 16 * (k)), absMask), \
                                               _mm256_and_si256(lb_cpu_mx_load(xb + 16 * (k) + 8), absMask))
        LB_CPU_MX_M(0); LB_CPU_MX_M(1); LB_CPU_MX_M(2); LB_CPU_MX_M(3);
        LB_CPU_MX_M(4); LB_CPU_MX_M(5); LB_CPU_MX_M(6); LB_CPU_MX_M(7);
#undef LB_CPU_MX_M
        lb_cpu_mx_prefetch32(xb);
        lb_cpu_mx_prefetch32(xb + 32);
        lb_cpu_mx_prefetch32(xb + 64);
        lb_cpu_mx_prefetch32(xb + 96);
        __m256i t0 = _mm256_max_epi32(_mm256_unpacklo_epi32(m[0], m[1]), _mm256_unpackhi_epi32(m[0], m[1]));
        __m256i t1 = _mm256_max_epi32(_mm256_unpacklo_epi32(m[2], m[3]), _mm256_unpackhi_epi32(m[2], m[3]));
        __m256i t2 = _mm256_max_epi32(_mm256_unpacklo_epi32(m[4], m[5]), _mm256_unpackhi_epi32(m[4], m[5]));
        __m256i t3 = _mm256_max_epi32(_mm256_unpacklo_epi32(m[6], m[7]), _mm256_unpackhi_epi32(m[6], m[7]));
        __m256i u0 = _mm256_max_epi32(_mm256_unpacklo_epi64(t0, t1), _mm256_unpackhi_epi64(t0, t1));
        __m256i u1 = _mm256_max_epi32(_mm256_unpacklo_epi64(t2, t3), _mm256_unpackhi_epi64(t2, t3));
        __m256i am = _mm256_max_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
        /* lane k: amax of block b+k; step 3 (see lb_cpu_mx_scaled_code) on all eight */
        __m256 d = _mm256_min_ps(_mm256_mul_ps(_mm256_castsi256_ps(am), k6v), Sv);
        __m256i db = _mm256_castps_si256(d);
        __m256i nrm = _mm256_add_epi32(db, _mm256_and_si256(_mm256_srli_epi32(db, 20), LB_CPU_MX_K(1)));
        nrm = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_add_epi32(nrm, LB_CPU_MX_K(0x7FFFF)), 20), rebias);
        __m256i sub = _mm256_sub_epi32(_mm256_castps_si256(_mm256_fmadd_ps(d, subScale, LB_CPU_MX_KF(8388608.0f))),
                                       LB_CPU_MX_K(0x4B000000));
        __m256i code = _mm256_blendv_epi8(nrm, sub, _mm256_cmpgt_epi32(minNormal, db));
        __m128i c16 = _mm_packus_epi32(_mm256_castsi256_si128(code), _mm256_extracti128_si256(code, 1));
        uint64_t cs = (uint64_t) _mm_cvtsi128_si64(_mm_packus_epi16(c16, c16));
        memcpy(sr + b, &cs, 8);
        for (int k = 0; k < 8; k += 2) {
            __m256 e0 = _mm256_broadcast_ss(&P->encB[(cs >> (8 * k)) & 0xFF]);
            __m256 e1 = _mm256_broadcast_ss(&P->encB[(cs >> (8 * k + 8)) & 0xFF]);
            lb_cpu_mx_nv_group(xb + 16 * k, e0, e1, pr + (long long) (b + k) * 8, nt);
        }
    }
    for (; b + 2 <= nbFull; b += 2) {    /* two blocks */
        const float* xb = xr + (long long) b * 16;
        lb_cpu_mx_prefetch32(xb);
        __m256i m01 = _mm256_max_epi32(_mm256_and_si256(lb_cpu_mx_load(xb), absMask),
                                       _mm256_and_si256(lb_cpu_mx_load(xb + 8), absMask));
        __m256i m23 = _mm256_max_epi32(_mm256_and_si256(lb_cpu_mx_load(xb + 16), absMask),
                                       _mm256_and_si256(lb_cpu_mx_load(xb + 24), absMask));
        unsigned s0 = lb_cpu_mx_scaled_code(P, lb_cpu_mx_hmax(m01)), s1 = lb_cpu_mx_scaled_code(P, lb_cpu_mx_hmax(m23));
        sr[b] = (unsigned char) s0;
        sr[b + 1] = (unsigned char) s1;
        lb_cpu_mx_nv_group(xb, _mm256_broadcast_ss(&P->encB[s0]), _mm256_broadcast_ss(&P->encB[s1]), pr + (long long) b * 8, nt);
    }
    if (b < nbFull) {                    /* one full block left */
        const float* xb = xr + (long long) b * 16;
        __m256i x0 = lb_cpu_mx_load(xb), x1 = lb_cpu_mx_load(xb + 8);
        __m256i a0 = _mm256_and_si256(x0, absMask), a1 = _mm256_and_si256(x1, absMask);
        unsigned s0 = lb_cpu_mx_scaled_code(P, lb_cpu_mx_hmax(_mm256_max_epi32(a0, a1)));
        sr[b] = (unsigned char) s0;
        __m256 e0 = _mm256_broadcast_ss(&P->encB[s0]);
        __m256i z = _mm256_setzero_si256();
        _mm_storel_epi64((__m128i*) (pr + (long long) b * 8),
                         lb_cpu_mx_pack32(lb_cpu_mx_nv_r(a0, e0), lb_cpu_mx_nv_r(a1, e0), z, z, x0, x1, z, z));
    }
    if ((long long) nbFull * 16 < cols) {
        lb_cpu_mx_scaled_block_scalar(xr, (long long) nbFull * 16, cols - nbFull * 16, P, sr + nbFull, pr);
    }
}

/* ------------------------------------------------------------------ scaled rows, AVX-512 */

/* The same row with 16-lane vectors (AVX-512F), sixteen blocks (256 elements) at a time; the
 * rest of the row goes to the AVX2 row above. Same arithmetic, element by element, as the AVX2
 * code and the same proofs (file comment); what differs is the packing. Per element, with
 * r = min(fma(p, 2, 2^23), fma(p, 1, 2^23 + 2), fma(p, 0.5, 2^23 + 4), 2^23 + 7), the low 3
 * bits of r's bits are the magnitude code (2^23 has none below bit 23) and bit 3 of x >>> 28 is
 * the sign: one ternary-logic select gives a 32-bit lane whose bits 0-3 are the code and bits
 * 4-7 zero. Then q | q >>> 28 on 64-bit lanes puts the odd element's code in bits 4-7 of the
 * even one's byte (the low nibble first, contract 4.4), and a truncating move keeps that byte. */
#define LB_CPU_MX_AVX512 __attribute__((target("avx2,fma,avx512f")))

/* GCC 12's own AVX-512 headers trip -Wmaybe-uninitialized (their "undefined" vectors, GCC bug
 * 105593), reported at our call sites; nothing of ours is uninitialized. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

LB_CPU_MX_AVX512 static inline __m128i lb_cpu_mx_nv_block512(const float* xb, const float* encB, __m512i absMask,
                                                             __m512 two, __m512 one, __m512 half, __m512 add0,
                                                             __m512 add2, __m512 add4, __m512i cap) {
    __m512i x = _mm512_loadu_si512((const void*) xb);
    __m512 p = _mm512_mul_ps(_mm512_castsi512_ps(_mm512_and_si512(x, absMask)), _mm512_set1_ps(*encB));
    __m512i r = _mm512_min_epi32(_mm512_castps_si512(_mm512_fmadd_ps(p, two, add0)),
                                 _mm512_castps_si512(_mm512_fmadd_ps(p, one, add2)));
    r = _mm512_min_epi32(_mm512_min_epi32(r, _mm512_castps_si512(_mm512_fmadd_ps(p, half, add4))), cap);
    /* bits 0-2 from r, the others from x >>> 28 (bit 3 the sign, 4-31 zero): 0xE4 = c ? a : b */
    __m512i c = _mm512_ternarylogic_epi32(r, _mm512_srli_epi32(x, 28), _mm512_set1_epi32(7), 0xE4);
    return _mm512_cvtepi64_epi8(_mm512_or_si512(c, _mm512_srli_epi64(c, 28)));   /* 8 bytes */
}

LB_CPU_MX_AVX512 static inline void lb_cpu_mx_scaled_row512(const float* xr, int cols, const lb_cpu_mx_scaled_params* P,
                                                            unsigned char* sr, unsigned char* pr, int nt) {
    const __m512i absMask = _mm512_set1_epi32(0x7FFFFFFF);
    const __m512 k6v = _mm512_set1_ps(P->k6), Sv = _mm512_set1_ps(P->S);
    const __m512 subScale = _mm512_castsi512_ps(_mm512_set1_epi32((int) lb_cpu_mx_pow2_bits(2 + P->bias))); /* 2^(3 - emin) */
    const __m512i minNormal = _mm512_set1_epi32((int) P->minNormalBits);
    const __m512i rebias = _mm512_set1_epi32((int) P->rebias);
    const __m512 two = _mm512_set1_ps(2.0f), one = _mm512_set1_ps(1.0f), half = _mm512_set1_ps(0.5f);
    const __m512 add0 = _mm512_set1_ps(8388608.0f), add2 = _mm512_set1_ps(8388610.0f), add4 = _mm512_set1_ps(8388612.0f);
    const __m512i cap = _mm512_set1_epi32(0x4B000007);
    int nbFull = cols / 16;
    int b = 0;
    for (; b + 16 <= nbFull; b += 16) {
        const float* xb = xr + (long long) b * 16;
        __m512i m[16];
#pragma GCC unroll 16
        for (int k = 0; k < 16; k++) m[k] = _mm512_and_si512(_mm512_loadu_si512((const void*) (xb + 16 * k)), absMask);
#pragma GCC unroll 8
        for (int k = 0; k < 16; k += 2) lb_cpu_mx_prefetch32(xb + 16 * k);
        /* lane k of am: the amax of block b + k. Within each 128-bit lane the unpacks leave one
         * dword per block of four (u), then the 128-bit lanes are transposed and reduced. */
        __m512i u[4];
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            __m512i t0 = _mm512_max_epi32(_mm512_unpacklo_epi32(m[4 * j], m[4 * j + 1]),
                                          _mm512_unpackhi_epi32(m[4 * j], m[4 * j + 1]));
            __m512i t1 = _mm512_max_epi32(_mm512_unpacklo_epi32(m[4 * j + 2], m[4 * j + 3]),
                                          _mm512_unpackhi_epi32(m[4 * j + 2], m[4 * j + 3]));
            u[j] = _mm512_max_epi32(_mm512_unpacklo_epi64(t0, t1), _mm512_unpackhi_epi64(t0, t1));
        }
        __m512i w01 = _mm512_max_epi32(_mm512_shuffle_i32x4(u[0], u[1], 0x44), _mm512_shuffle_i32x4(u[0], u[1], 0xEE));
        __m512i w23 = _mm512_max_epi32(_mm512_shuffle_i32x4(u[2], u[3], 0x44), _mm512_shuffle_i32x4(u[2], u[3], 0xEE));
        __m512i am = _mm512_max_epi32(_mm512_shuffle_i32x4(w01, w23, 0x88), _mm512_shuffle_i32x4(w01, w23, 0xDD));
        /* step 3 on all sixteen, as in lb_cpu_mx_scaled_row */
        __m512 d = _mm512_min_ps(_mm512_mul_ps(_mm512_castsi512_ps(am), k6v), Sv);
        __m512i db = _mm512_castps_si512(d);
        __m512i nrm = _mm512_add_epi32(db, _mm512_and_si512(_mm512_srli_epi32(db, 20), _mm512_set1_epi32(1)));
        nrm = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_add_epi32(nrm, _mm512_set1_epi32(0x7FFFF)), 20), rebias);
        __m512i sub = _mm512_sub_epi32(_mm512_castps_si512(_mm512_fmadd_ps(d, subScale, add0)),
                                       _mm512_set1_epi32(0x4B000000));
        __m512i code = _mm512_mask_blend_epi32(_mm512_cmplt_epi32_mask(db, minNormal), nrm, sub);
        _mm_storeu_si128((__m128i*) (sr + b), _mm512_cvtepi32_epi8(code));
#pragma GCC unroll 8
        for (int k = 0; k < 16; k += 2) {
            __m128i lo = lb_cpu_mx_nv_block512(xb + 16 * k, &P->encB[sr[b + k]], absMask, two, one, half,
                                               add0, add2, add4, cap);
            __m128i hi = lb_cpu_mx_nv_block512(xb + 16 * k + 16, &P->encB[sr[b + k + 1]], absMask, two, one, half,
                                               add0, add2, add4, cap);
            lb_cpu_mx_store16(pr + (long long) (b + k) * 8, _mm_unpacklo_epi64(lo, hi), nt);
        }
    }
    /* the rest (fewer than 16 blocks, a short last block): b * 16 elements are b * 8 whole bytes */
    if (b * 16 < cols) lb_cpu_mx_scaled_row(xr + (long long) b * 16, cols - b * 16, P, sr + b, pr + (long long) b * 8, nt);
}

#pragma GCC diagnostic pop

/* Rows [row0, row1) with the AVX-512 row when level says so (the caller checked the CPU). */
LB_CPU_MX_AVX static inline void lb_cpu_mx_scaled_rows(const float* x, int cols, int row0, int row1,
                                                       const lb_cpu_mx_scaled_params* P, int level,
                                                       unsigned char* scales, unsigned char* packed) {
    long long nb = (cols + 15) / 16;
    long long rowBytes = ((long long) cols + 1) / 2;
    int ntAllowed = (long long) (row1 - row0) * cols >= LB_CPU_MX_NT_ELEMENTS;
    for (int r = row0; r < row1; r++) {
        const float* xr = x + (long long) r * cols;
        unsigned char* sr = scales + (long long) r * nb;
        unsigned char* pr = packed + (long long) r * rowBytes;
        int nt = ntAllowed && ((uintptr_t) pr & 15) == 0;
        if (level >= LB_CPU_LEVEL_AVX512) lb_cpu_mx_scaled_row512(xr, cols, P, sr, pr, nt);
        else if (nt) lb_cpu_mx_scaled_row(xr, cols, P, sr, pr, 1);
        else lb_cpu_mx_scaled_row(xr, cols, P, sr, pr, 0);
    }
    if (ntAllowed) _mm_sfence();
}

/* ------------------------------------------------------------------ abs max */

LB_CPU_MX_AVX static inline uint32_t lb_cpu_mx_abs_max_avx2(const float* x, long long from, long long to) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    __m256i m0 = _mm256_setzero_si256(), m1 = m0, m2 = m0, m3 = m0;
    long long i = from;
    for (; i + 32 <= to; i += 32) {
        m0 = _mm256_max_epu32(m0, _mm256_and_si256(lb_cpu_mx_load(x + i), absMask));
        m1 = _mm256_max_epu32(m1, _mm256_and_si256(lb_cpu_mx_load(x + i + 8), absMask));
        m2 = _mm256_max_epu32(m2, _mm256_and_si256(lb_cpu_mx_load(x + i + 16), absMask));
        m3 = _mm256_max_epu32(m3, _mm256_and_si256(lb_cpu_mx_load(x + i + 24), absMask));
    }
    uint32_t m = lb_cpu_mx_hmax(_mm256_max_epu32(_mm256_max_epu32(m0, m1), _mm256_max_epu32(m2, m3)));
    uint32_t tail = lb_cpu_mx_amax_bits(x, i, to);
    return tail > m ? tail : m;
}

/* ------------------------------------------------------------------ MX columns (axis 0) */

/* Sets the nibble of element c of a row (the other nibble kept): for redoing single columns. */
static inline void lb_cpu_mx_set_nibble(unsigned char* rowPacked, long long c, unsigned code) {
    unsigned char* p = rowPacked + (c >> 1);
    *p = (unsigned char) ((c & 1) ? ((*p & 0x0Fu) | (code << 4)) : ((*p & 0xF0u) | code));
}

/* One axis-0 MX block by the reference: column c, rows r0 .. r1 (scale to *scale). */
static inline void lb_cpu_mx_mx_colblock_scalar(const float* x, int cols, int r0, int r1, int c, int mode,
                                                unsigned char* scale, unsigned char* packed, long long rowBytes) {
    uint32_t amax = 0;
    for (int r = r0; r < r1; r++) {
        uint32_t a = lb_cpu_mx_fbits(x[(long long) r * cols + c]) & 0x7FFFFFFFu;
        if (a > amax) amax = a;
    }
    int e = lb_cpu_mx_scale_exp(mode, amax);
    *scale = (unsigned char) (e == LB_CPU_MX_NAN_SCALE ? 0xFF : e + 127);
    for (int r = r0; r < r1; r++) {
        unsigned code = e == LB_CPU_MX_NAN_SCALE ? 0u : lb_cpu_mx_e2m1_encode(lb_cpu_mx_fbits(x[(long long) r * cols + c]), e);
        lb_cpu_mx_set_nibble(packed + (long long) r * rowBytes, c, code);
    }
}

/* Scratch of the column kernel, per column: the strip's amax, the three FMA constants, and
 * whether the column's block takes the scalar path. */
typedef struct {
    uint32_t* amax;
    float* tw;
    float* on;
    float* hf;
    unsigned char* slow;
} lb_cpu_mx_col_scratch;

/* MXFP4 axis 0, strips [strip0, strip1) of bs rows (the last may be shorter): the elements of a
 * block lie down a column, so a strip is read row by row (contiguous, as the rows kernel reads):
 * pass A takes every column's amax, pass B turns each amax into the scale byte and the FMA
 * constants, eight columns at a time (lb_cpu_mx_mx_fast_consts is lane-wise), pass C encodes
 * the strip's rows 32 columns at a time with per-column constants (the strip is still in L2).
 * Columns past the last multiple of 32, and blocks with NaN/Inf amax or e < -126, take the
 * scalar port. A zero column has scale 0 (e = -127) and any constants (its products are 0). */
LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_cols_avx2(const float* x, int rows, int cols, int strip0, int strip1,
                                                        int bs, int mode, unsigned char* scales, unsigned char* packed,
                                                        const lb_cpu_mx_col_scratch* W) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    const __m256i addv = _mm256_set1_epi32((int) lb_cpu_mx_mode_addend(mode));
    const long long rowBytes = ((long long) cols + 1) / 2;
    const int c32 = cols & ~31;
    for (int s = strip0; s < strip1; s++) {
        int r0 = s * bs, r1 = r0 + bs < rows ? r0 + bs : rows;
        unsigned char* ss = scales + (long long) s * cols;
        /* pass A */
        for (int c = 0; c < c32; c += 8) _mm256_storeu_si256((__m256i*) (W->amax + c), _mm256_setzero_si256());
        for (int r = r0; r < r1; r++) {
            const float* xr = x + (long long) r * cols;
            for (int c = 0; c < c32; c += 8) {
                __m256i m = _mm256_loadu_si256((const __m256i*) (W->amax + c));
                m = _mm256_max_epi32(m, _mm256_and_si256(lb_cpu_mx_load(xr + c), absMask));
                _mm256_storeu_si256((__m256i*) (W->amax + c), m);
            }
        }
        /* pass B */
        for (int c = 0; c < c32; c += 8) {
            __m256i m = _mm256_loadu_si256((const __m256i*) (W->amax + c));
            __m256i te = _mm256_srli_epi32(_mm256_add_epi32(m, addv), 23);
            __m256i t3 = _mm256_sub_epi32(te, LB_CPU_MX_K(3));
            __m256i ok = _mm256_cmpeq_epi32(_mm256_min_epu32(t3, LB_CPU_MX_K(251)), t3);   /* te in 3..254 */
            __m256i zero = _mm256_cmpeq_epi32(m, _mm256_setzero_si256());
            __m256 tw, on, hf;
            lb_cpu_mx_mx_fast_consts(m, addv, &tw, &on, &hf);
            __m256 okf = _mm256_castsi256_ps(ok);
            _mm256_storeu_ps(W->tw + c, _mm256_blendv_ps(LB_CPU_MX_KF(2.0f), tw, okf));
            _mm256_storeu_ps(W->on + c, _mm256_blendv_ps(LB_CPU_MX_KF(1.0f), on, okf));
            _mm256_storeu_ps(W->hf + c, _mm256_blendv_ps(LB_CPU_MX_KF(0.5f), hf, okf));
            uint32_t sc[8];
            _mm256_storeu_si256((__m256i*) sc, _mm256_and_si256(_mm256_sub_epi32(te, LB_CPU_MX_K(2)), ok));
            int okBits = _mm256_movemask_ps(okf), zeroBits = _mm256_movemask_ps(_mm256_castsi256_ps(zero));
            for (int j = 0; j < 8; j++) {
                ss[c + j] = (unsigned char) sc[j];                        /* 0 for a zero column: e = -127 */
                W->slow[c + j] = (unsigned char) !(((okBits | zeroBits) >> j) & 1);
            }
        }
        /* pass C */
        for (int r = r0; r < r1; r++) {
            const float* xr = x + (long long) r * cols;
            unsigned char* pr = packed + (long long) r * rowBytes;
            for (int c = 0; c < c32; c += 32) {
                __m256i x0 = lb_cpu_mx_load(xr + c), x1 = lb_cpu_mx_load(xr + c + 8);
                __m256i x2 = lb_cpu_mx_load(xr + c + 16), x3 = lb_cpu_mx_load(xr + c + 24);
#define LB_CPU_MX_COL(k, xk) lb_cpu_mx_mx_r(_mm256_and_si256(xk, absMask), _mm256_loadu_ps(W->tw + c + 8 * (k)), \
                                            _mm256_loadu_ps(W->on + c + 8 * (k)), _mm256_loadu_ps(W->hf + c + 8 * (k)))
                __m256i q0 = LB_CPU_MX_COL(0, x0), q1 = LB_CPU_MX_COL(1, x1);
                __m256i q2 = LB_CPU_MX_COL(2, x2), q3 = LB_CPU_MX_COL(3, x3);
#undef LB_CPU_MX_COL
                _mm_storeu_si128((__m128i*) (pr + c / 2), lb_cpu_mx_pack32(q0, q1, q2, q3, x0, x1, x2, x3));
            }
        }
        for (int c = 0; c < c32; c++) {
            if (W->slow[c]) lb_cpu_mx_mx_colblock_scalar(x, cols, r0, r1, c, mode, ss + c, packed, rowBytes);
        }
        for (int c = c32; c < cols; c++) lb_cpu_mx_mx_colblock_scalar(x, cols, r0, r1, c, mode, ss + c, packed, rowBytes);
        if (cols & 1) {   /* the last byte of a row has high nibble 0 (contract 4.4) */
            for (int r = r0; r < r1; r++) packed[(long long) r * rowBytes + rowBytes - 1] &= 0x0F;
        }
    }
}

/* ------------------------------------------------------------------ scaled 16x16 tiles */

/* Rows [row0, row1) (multiples of 16) with cols a multiple of 16: one scale per 16x16 tile,
 * written to each of its 16 rows' entries (the reference's layout, [rows, cols/16]). Per strip
 * of 16 rows: the tiles' amaxes (vertical maxes of eight lanes, then one horizontal max per
 * tile), step 3 per tile by lb_cpu_mx_scaled_code, then the rows encoded with the tiles' encB as
 * the 1x16 rows are. tileMax: scratch of 8 * cols/16 words; codes: cols/16 bytes. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_scaled_tiles_avx2(const float* x, int cols, int row0, int row1,
                                                             const lb_cpu_mx_scaled_params* P, unsigned char* scales,
                                                             unsigned char* packed, uint32_t* tileMax,
                                                             unsigned char* codes) {
    const __m256i absMask = LB_CPU_MX_K(0x7FFFFFFF);
    const int nb = cols / 16;
    const long long rowBytes = cols / 2;
    for (int r0 = row0; r0 < row1; r0 += 16) {
        for (int b = 0; b < nb; b++) _mm256_storeu_si256((__m256i*) (tileMax + 8 * b), _mm256_setzero_si256());
        for (int r = r0; r < r0 + 16; r++) {
            const float* xr = x + (long long) r * cols;
            for (int b = 0; b < nb; b++) {
                __m256i v = _mm256_max_epi32(_mm256_and_si256(lb_cpu_mx_load(xr + 16 * b), absMask),
                                             _mm256_and_si256(lb_cpu_mx_load(xr + 16 * b + 8), absMask));
                __m256i* t = (__m256i*) (tileMax + 8 * b);
                _mm256_storeu_si256(t, _mm256_max_epi32(_mm256_loadu_si256(t), v));
            }
        }
        for (int b = 0; b < nb; b++) {
            codes[b] = (unsigned char) lb_cpu_mx_scaled_code(P, lb_cpu_mx_hmax(_mm256_loadu_si256((const __m256i*) (tileMax + 8 * b))));
        }
        for (int r = r0; r < r0 + 16; r++) {
            const float* xr = x + (long long) r * cols;
            unsigned char* pr = packed + (long long) r * rowBytes;
            memcpy(scales + (long long) r * nb, codes, (size_t) nb);
            int b = 0;
            for (; b + 2 <= nb; b += 2) {
                lb_cpu_mx_nv_group(xr + 16 * b, _mm256_broadcast_ss(&P->encB[codes[b]]),
                                   _mm256_broadcast_ss(&P->encB[codes[b + 1]]), pr + (long long) b * 8, 0);
            }
            if (b < nb) {   /* an odd count: the last tile's 16 elements, 8 bytes */
                __m256i x0 = lb_cpu_mx_load(xr + 16 * b), x1 = lb_cpu_mx_load(xr + 16 * b + 8);
                __m256 e0 = _mm256_broadcast_ss(&P->encB[codes[b]]);
                __m256i z = _mm256_setzero_si256();
                _mm_storel_epi64((__m128i*) (pr + (long long) b * 8),
                                 lb_cpu_mx_pack32(lb_cpu_mx_nv_r(_mm256_and_si256(x0, absMask), e0),
                                                  lb_cpu_mx_nv_r(_mm256_and_si256(x1, absMask), e0), z, z, x0, x1, z, z));
            }
        }
    }
}

/* ------------------------------------------------------------------ stochastic rounding */

/* Philox4x32-10 on eight counters at once (the Random123 constants, as io.lowbit.backend.scalar
 * .Philox): the words of elements 4g .. 4g+31 in element order (contract 3: element i is lane
 * i mod 4 of counter offset + i/4, counter = (low32, high32, stream, 0), key = seed's halves). */
LB_CPU_MX_AVX static inline void lb_cpu_philox_gen32(uint64_t seed, uint64_t offset, uint32_t stream, uint64_t g,
                                                     uint32_t* out) {
    uint32_t lo[8], hi[8];
    for (int k = 0; k < 8; k++) {
        uint64_t c = offset + g + (uint64_t) k;   /* unsigned 64-bit: wraps as the reference's long does */
        lo[k] = (uint32_t) c;
        hi[k] = (uint32_t) (c >> 32);
    }
    __m256i c0 = _mm256_loadu_si256((const __m256i*) lo), c1 = _mm256_loadu_si256((const __m256i*) hi);
    __m256i c2 = _mm256_set1_epi32((int) stream), c3 = _mm256_setzero_si256();
    const __m256i m0 = _mm256_set1_epi32((int) 0xD2511F53u), m1 = _mm256_set1_epi32((int) 0xCD9E8D57u);
    uint32_t k0 = (uint32_t) seed, k1 = (uint32_t) (seed >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) {   /* the key is bumped between rounds, not before the first */
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        /* 32x32 -> 64-bit products: even lanes, then odd lanes moved down */
        __m256i p0e = _mm256_mul_epu32(c0, m0), p0o = _mm256_mul_epu32(_mm256_srli_epi64(c0, 32), m0);
        __m256i p1e = _mm256_mul_epu32(c2, m1), p1o = _mm256_mul_epu32(_mm256_srli_epi64(c2, 32), m1);
        __m256i lo0 = _mm256_blend_epi32(p0e, _mm256_slli_epi64(p0o, 32), 0xAA);
        __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(p0e, 32), p0o, 0xAA);
        __m256i lo1 = _mm256_blend_epi32(p1e, _mm256_slli_epi64(p1o, 32), 0xAA);
        __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(p1e, 32), p1o, 0xAA);
        __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32((int) k0));
        __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32((int) k1));
        c0 = n0;
        c1 = lo1;
        c2 = n2;
        c3 = lo0;
    }
    /* lane k of c_j is word j of counter k: transpose to element order */
    __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpacklo_epi32(c2, c3);
    __m256i t2 = _mm256_unpackhi_epi32(c0, c1), t3 = _mm256_unpackhi_epi32(c2, c3);
    __m256i u0 = _mm256_unpacklo_epi64(t0, t1), u1 = _mm256_unpackhi_epi64(t0, t1);   /* counters 0|4, 1|5 */
    __m256i u2 = _mm256_unpacklo_epi64(t2, t3), u3 = _mm256_unpackhi_epi64(t2, t3);   /* counters 2|6, 3|7 */
    _mm256_storeu_si256((__m256i*) out, _mm256_permute2x128_si256(u0, u1, 0x20));
    _mm256_storeu_si256((__m256i*) (out + 8), _mm256_permute2x128_si256(u2, u3, 0x20));
    _mm256_storeu_si256((__m256i*) (out + 16), _mm256_permute2x128_si256(u0, u1, 0x31));
    _mm256_storeu_si256((__m256i*) (out + 24), _mm256_permute2x128_si256(u2, u3, 0x31));
}

/* out[k] = the word of element first + k, k < count. */
LB_CPU_MX_AVX static inline void lb_cpu_philox_fill(uint64_t seed, uint64_t offset, uint32_t stream, uint64_t first,
                                                    long long count, uint32_t* out) {
    uint32_t tmp[32];
    uint64_t e = first & ~(uint64_t) 3;
    for (long long k = 0; k < count; e += 32) {
        int skip = (int) (first + (uint64_t) k - e);
        long long n = 32 - skip < count - k ? 32 - skip : count - k;
        if (skip == 0 && n == 32) {
            lb_cpu_philox_gen32(seed, offset, stream, e >> 2, out + k);
        } else {
            lb_cpu_philox_gen32(seed, offset, stream, e >> 2, tmp);
            memcpy(out + k, tmp + skip, (size_t) n * sizeof(uint32_t));
        }
        k += n;
    }
}

/* ScalarCodec.encode(E2M1, x, scaleExp, saturate, stochastic, word) for eight finite floats
 * (bits xb) with their words: value = |x| * 2^-scaleExp = sig * 2^exp2 exactly (sig the 24-bit
 * significand, or the fraction of a subnormal, whose log2 comes from its exact int->float
 * conversion); quantum 2^qe with qe = max(floor(log2 value), 0) - 1; n = floor(value / 2^qe);
 * F = the dropped bits as a 32-bit fraction (contract 2.4, exact); n + 1 when word < F
 * (unsigned); magnitude ((qe + 1) << 1) + n saturated at 7 (also for value >= 8); zero keeps its
 * sign. Returns codes 0..15 in 32-bit lanes. */
LB_CPU_MX_AVX static inline __m256i lb_cpu_mx_e2m1_sr8(__m256i xb, __m256i scaleExp, __m256i words) {
    const __m256i one = LB_CPU_MX_K(1);
    __m256i bexp = _mm256_and_si256(_mm256_srli_epi32(xb, 23), LB_CPU_MX_K(0xFF));
    __m256i frac = _mm256_and_si256(xb, LB_CPU_MX_K(0x7FFFFF));
    __m256i isSub = _mm256_cmpeq_epi32(bexp, _mm256_setzero_si256());
    __m256i sig = _mm256_blendv_epi8(_mm256_or_si256(frac, LB_CPU_MX_K(0x800000)), frac, isSub);
    __m256i exp2 = _mm256_sub_epi32(_mm256_blendv_epi8(_mm256_sub_epi32(bexp, LB_CPU_MX_K(150)), LB_CPU_MX_K(-149), isSub),
                                    scaleExp);
    __m256i subLog = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(frac)), 23), LB_CPU_MX_K(127));
    __m256i valueExp = _mm256_add_epi32(_mm256_blendv_epi8(LB_CPU_MX_K(23), subLog, isSub), exp2);
    __m256i qe = _mm256_sub_epi32(_mm256_max_epi32(valueExp, _mm256_setzero_si256()), one);
    __m256i drop = _mm256_max_epi32(_mm256_sub_epi32(qe, exp2), _mm256_setzero_si256());
    __m256i n = _mm256_srlv_epi32(sig, drop);
    __m256i rest = _mm256_and_si256(sig, _mm256_sub_epi32(_mm256_sllv_epi32(one, drop), one));
    /* drop <= 32: rest << (32 - drop); drop > 32: rest >> (drop - 32); the other shift is 0 */
    __m256i F = _mm256_or_si256(_mm256_sllv_epi32(rest, _mm256_sub_epi32(LB_CPU_MX_K(32), drop)),
                                _mm256_srlv_epi32(rest, _mm256_sub_epi32(drop, LB_CPU_MX_K(32))));
    const __m256i flip = LB_CPU_MX_K(0x80000000u);
    __m256i up = _mm256_cmpgt_epi32(_mm256_xor_si256(F, flip), _mm256_xor_si256(words, flip));
    n = _mm256_sub_epi32(n, up);
    __m256i mag = _mm256_add_epi32(_mm256_slli_epi32(_mm256_add_epi32(qe, one), 1), n);
    mag = _mm256_min_epi32(mag, LB_CPU_MX_K(7));
    mag = _mm256_blendv_epi8(mag, LB_CPU_MX_K(7), _mm256_cmpgt_epi32(valueExp, LB_CPU_MX_K(2)));
    mag = _mm256_andnot_si256(_mm256_cmpeq_epi32(_mm256_and_si256(xb, LB_CPU_MX_K(0x7FFFFFFF)), _mm256_setzero_si256()), mag);
    return _mm256_or_si256(mag, _mm256_and_si256(_mm256_srli_epi32(xb, 28), LB_CPU_MX_K(8)));
}

/* 32 codes (0..15, four vectors of 32-bit lanes, consecutive elements) to 16 packed bytes. */
LB_CPU_MX_AVX static inline __m128i lb_cpu_mx_pack_codes32(__m256i a, __m256i b, __m256i c, __m256i d) {
    __m256i e = _mm256_packus_epi16(_mm256_packus_epi32(a, b), _mm256_packus_epi32(c, d));
    __m256i m = _mm256_maddubs_epi16(e, LB_CPU_MX_K(0x10011001u)); /* lo + 16 * hi per byte pair */
    __m128i r = _mm_packus_epi16(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    return _mm_shuffle_epi8(r, _mm_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15));
}

/* The codes of a row (cols of them, in codes[]) to its packed bytes. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_pack_row_codes(const uint32_t* codes, int cols, unsigned char* pr) {
    int c = 0;
    for (; c + 32 <= cols; c += 32) {
        const __m256i* v = (const __m256i*) (codes + c);
        _mm_storeu_si128((__m128i*) (pr + c / 2), lb_cpu_mx_pack_codes32(_mm256_loadu_si256(v), _mm256_loadu_si256(v + 1),
                                                                          _mm256_loadu_si256(v + 2), _mm256_loadu_si256(v + 3)));
    }
    for (; c < cols; c++) lb_cpu_mx_put_nibble(pr, c, codes[c]);
}

/* min(count, 8) elements from x and their words as eight lanes (a shorter tail padded with 0). */
LB_CPU_MX_AVX static inline void lb_cpu_mx_sr_load(const float* x, const uint32_t* w, int count, __m256i* xv, __m256i* wv) {
    if (count >= 8) {
        *xv = lb_cpu_mx_load(x);
        *wv = _mm256_loadu_si256((const __m256i*) w);
        return;
    }
    float xt[8] = {0};
    uint32_t wt[8] = {0};
    memcpy(xt, x, (size_t) count * sizeof(float));
    memcpy(wt, w, (size_t) count * sizeof(uint32_t));
    *xv = _mm256_loadu_si256((const __m256i*) xt);
    *wv = _mm256_loadu_si256((const __m256i*) wt);
}

/* The first min(count, 8) codes of v to dst. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_sr_store(uint32_t* dst, __m256i v, int count) {
    if (count >= 8) {
        _mm256_storeu_si256((__m256i*) dst, v);
        return;
    }
    uint32_t t[8];
    _mm256_storeu_si256((__m256i*) t, v);
    memcpy(dst, t, (size_t) count * sizeof(uint32_t));
}

/* Per-thread scratch of the stochastic rows: the row's words and codes (cols + 8 each). */
typedef struct {
    uint32_t* words;
    uint32_t* codes;
} lb_cpu_mx_sr_scratch;

/* MXFP4 rows with stochastic rounding: per block the amax and scale exponent (lb_cpu_mx_scale_exp), then eight elements at a time by lb_cpu_mx_e2m1_sr8 (a short last
 * block padded); a NaN/Inf block gets scale 0xFF and codes 0. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_mx_rows_sr(const float* x, int cols, int row0, int row1, int bs, int mode,
                                                      uint64_t seed, uint64_t offset, uint32_t stream,
                                                      unsigned char* scales, unsigned char* packed,
                                                      const lb_cpu_mx_sr_scratch* W) {
    long long nb = (cols + bs - 1) / bs;
    long long rowBytes = ((long long) cols + 1) / 2;
    for (int r = row0; r < row1; r++) {
        const float* xr = x + (long long) r * cols;
        lb_cpu_philox_fill(seed, offset, stream, (uint64_t) r * (uint64_t) cols, cols, W->words);
        for (long long b = 0; b < nb; b++) {
            int c0 = (int) (b * bs), count = cols - c0 < bs ? cols - c0 : bs;
            int e = lb_cpu_mx_scale_exp(mode, lb_cpu_mx_amax_bits(xr, c0, c0 + count));
            scales[(long long) r * nb + b] = (unsigned char) (e == LB_CPU_MX_NAN_SCALE ? 0xFF : e + 127);
            if (e == LB_CPU_MX_NAN_SCALE) {
                memset(W->codes + c0, 0, (size_t) count * sizeof(uint32_t));
                continue;
            }
            __m256i ev = _mm256_set1_epi32(e);
            for (int k = 0; k < count; k += 8) {
                __m256i xv, wv;
                lb_cpu_mx_sr_load(xr + c0 + k, W->words + c0 + k, count - k, &xv, &wv);
                lb_cpu_mx_sr_store(W->codes + c0 + k, lb_cpu_mx_e2m1_sr8(xv, ev, wv), count - k);
            }
        }
        lb_cpu_mx_pack_row_codes(W->codes, cols, packed + (long long) r * rowBytes);
    }
}

/* Scaled 1x16 rows with stochastic rounding (a finite tensor): per block step 3 by
 * lb_cpu_mx_scaled_code, then p = x * encB, clamped to [-6, 6] as the reference does, and
 * lb_cpu_mx_e2m1_sr8 on p with scale exponent 0. */
LB_CPU_MX_AVX static inline void lb_cpu_mx_scaled_rows_sr(const float* x, int cols, int row0, int row1,
                                                          const lb_cpu_mx_scaled_params* P,
                                                          uint64_t seed, uint64_t offset, uint32_t stream,
                                                          unsigned char* scales, unsigned char* packed,
                                                          const lb_cpu_mx_sr_scratch* W) {
    long long nb = (cols + 15) / 16;
    long long rowBytes = ((long long) cols + 1) / 2;
    const __m256 six = _mm256_set1_ps(6.0f), minusSix = _mm256_set1_ps(-6.0f);
    const __m256i zero = _mm256_setzero_si256();
    for (int r = row0; r < row1; r++) {
        const float* xr = x + (long long) r * cols;
        lb_cpu_philox_fill(seed, offset, stream, (uint64_t) r * (uint64_t) cols, cols, W->words);
        for (long long b = 0; b < nb; b++) {
            int c0 = (int) (b * 16), count = cols - c0 < 16 ? cols - c0 : 16;
            unsigned code = lb_cpu_mx_scaled_code(P, lb_cpu_mx_amax_bits(xr, c0, c0 + count));
            scales[(long long) r * nb + b] = (unsigned char) code;
            __m256 encB = _mm256_set1_ps(P->encB[code]);
            for (int k = 0; k < count; k += 8) {
                __m256i xv, wv;
                lb_cpu_mx_sr_load(xr + c0 + k, W->words + c0 + k, count - k, &xv, &wv);
                __m256 p = _mm256_mul_ps(_mm256_castsi256_ps(xv), encB);
                p = _mm256_max_ps(_mm256_min_ps(p, six), minusSix);   /* max(-6, min(6, v)), -0 kept */
                lb_cpu_mx_sr_store(W->codes + c0 + k, lb_cpu_mx_e2m1_sr8(_mm256_castps_si256(p), zero, wv), count - k);
            }
        }
        lb_cpu_mx_pack_row_codes(W->codes, cols, packed + (long long) r * rowBytes);
    }
}

/* ------------------------------------------------------------------ API */

/* MXFP4 (E2M1 elements, E8M0 scales), axis -1, round to nearest even, rows [row0, row1) of
 * x[rows, cols] row-major. mode: 0 floor, 1 ceil, 2 even, 3 rceil. scales: [rows, ceil(cols/blockSize)]
 * (only the given rows' entries are written); packed: rows * ceil(cols/2) bytes (only the given
 * rows' bytes). blockSize 1..1024. Returns 0 when done, 1 when not supported here (nothing written:
 * no AVX2/FMA, or bad arguments). Block sizes that are not multiples of 8 run the scalar port. */
static inline int lb_cpu_mxfp4_packed(const float* x, int cols, int row0, int row1, int blockSize,
                                      int mode, unsigned char* scales, unsigned char* packed) {
    if (blockSize < 1 || blockSize > 1024 || mode < 0 || mode > 3 || cols < 0 || row0 < 0 || row1 < row0) return 1;
    if (!lb_cpu_has_avx2_fma()) return 1;
    if (cols == 0 || row0 == row1) return 0;
    lb_cpu_mx_mx_rows_avx2(x, cols, row0, row1, blockSize, mode, scales, packed);
    return 0;
}

/* The scaled entry points' common arguments: scale format 0 or 1, encT and decT positive and finite. */
static inline int lb_cpu_mx_scaled_args_ok(int scaleFormat, float encT, float decT) {
    const float fltMax = lb_cpu_mx_bitsf(0x7F7FFFFFu);
    return (scaleFormat == 0 || scaleFormat == 1) && encT > 0.0f && encT <= fltMax && decT > 0.0f && decT <= fltMax;
}

/* Scaled (contract 5), 1x16 tiles, E2M1 elements, RNE; scaleFormat 0 = UE4M3 (NVFP4), 1 = UE5M3.
 * encT and decT from the caller (steps 1-2; the tensor is finite); they must be positive and
 * finite (else 1 is returned). Same row range, scales [rows, ceil(cols/16)] and packed layout as above. */
static inline int lb_cpu_scaled_packed(const float* x, int cols, int row0, int row1, int scaleFormat,
                                       float encT, float decT, unsigned char* scales, unsigned char* packed) {
    if (!lb_cpu_mx_scaled_args_ok(scaleFormat, encT, decT) || cols < 0 || row0 < 0 || row1 < row0) return 1;
    if (!lb_cpu_has_avx2_fma()) return 1;
    if (cols == 0 || row0 == row1) return 0;
    lb_cpu_mx_scaled_params P;
    lb_cpu_mx_scaled_init(&P, scaleFormat, encT, decT);
    lb_cpu_mx_scaled_rows(x, cols, row0, row1, &P, lb_cpu_level(), scales, packed);
    return 0;
}

/* MXFP4 axis 0 (blocks of blockSize rows down each column), RNE: strips [strip0, strip1) of
 * x[rows, cols] (strip s = rows s*blockSize .. min(rows, (s+1)*blockSize)). scales:
 * [ceil(rows/blockSize), cols] (the given strips' entries), packed: as lb_cpu_mxfp4_packed (the
 * strips' rows). 1 = declined (nothing written): no AVX2/FMA, bad arguments, no memory. */
static inline int lb_cpu_mxfp4_packed_axis0(const float* x, int rows, int cols, int strip0, int strip1, int blockSize,
                                            int mode, unsigned char* scales, unsigned char* packed) {
    if (blockSize < 1 || blockSize > 1024 || mode < 0 || mode > 3 || rows < 0 || cols < 0) return 1;
    if (strip0 < 0 || strip1 < strip0 || (long long) strip1 * blockSize >= (long long) rows + blockSize) return 1;
    if (!lb_cpu_has_avx2_fma()) return 1;
    if (cols == 0 || strip0 == strip1) return 0;
    size_t n = (size_t) cols + 8;
    void* mem = malloc(n * (3 * sizeof(float) + sizeof(uint32_t) + 1));
    if (mem == NULL) return 1;
    lb_cpu_mx_col_scratch W;
    W.amax = (uint32_t*) mem;
    W.tw = (float*) (W.amax + n);
    W.on = W.tw + n;
    W.hf = W.on + n;
    W.slow = (unsigned char*) (W.hf + n);
    lb_cpu_mx_mx_cols_avx2(x, rows, cols, strip0, strip1, blockSize, mode, scales, packed, &W);
    free(mem);
    return 0;
}

/* Scaled 16x16 tiles, RNE, a finite tensor (encT, decT as lb_cpu_scaled_packed): rows [row0, row1),
 * both multiples of 16, cols a multiple of 16; scales [rows, cols/16]. 1 = declined (nothing written). */
static inline int lb_cpu_scaled_packed_tiles(const float* x, int cols, int row0, int row1, int scaleFormat,
                                             float encT, float decT, unsigned char* scales, unsigned char* packed) {
    if (!lb_cpu_mx_scaled_args_ok(scaleFormat, encT, decT) || cols < 0 || cols % 16 != 0) return 1;
    if (row0 < 0 || row1 < row0 || row0 % 16 != 0 || row1 % 16 != 0) return 1;
    if (!lb_cpu_has_avx2_fma()) return 1;
    if (cols == 0 || row0 == row1) return 0;
    int nb = cols / 16;
    void* mem = malloc((size_t) nb * (8 * sizeof(uint32_t) + 1));
    if (mem == NULL) return 1;
    lb_cpu_mx_scaled_params P;
    lb_cpu_mx_scaled_init(&P, scaleFormat, encT, decT);
    lb_cpu_mx_scaled_tiles_avx2(x, cols, row0, row1, &P, scales, packed, (uint32_t*) mem,
                                (unsigned char*) mem + (size_t) nb * 8 * sizeof(uint32_t));
    free(mem);
    return 0;
}

/* Scratch for the stochastic rows: 0 on failure. */
static inline int lb_cpu_mx_sr_alloc(lb_cpu_mx_sr_scratch* W, int cols) {
    W->words = (uint32_t*) malloc(((size_t) cols + 8) * 2 * sizeof(uint32_t));
    W->codes = W->words == NULL ? NULL : W->words + cols + 8;
    return W->words != NULL;
}

/* MXFP4, axis -1, stochastic rounding with the stream (seed, offset, stream) of contract 3
 * (element i = its row-major index): rows [row0, row1), layout as lb_cpu_mxfp4_packed. */
static inline int lb_cpu_mxfp4_packed_sr(const float* x, int cols, int row0, int row1, int blockSize, int mode,
                                         long long seed, long long offset, int stream,
                                         unsigned char* scales, unsigned char* packed) {
    if (blockSize < 1 || blockSize > 1024 || mode < 0 || mode > 3 || cols < 0 || row0 < 0 || row1 < row0) return 1;
    if (!lb_cpu_has_avx2_fma()) return 1;
    if (cols == 0 || row0 == row1) return 0;
    lb_cpu_mx_sr_scratch W;
    if (!lb_cpu_mx_sr_alloc(&W, cols)) return 1;
    lb_cpu_mx_mx_rows_sr(x, cols, row0, row1, blockSize, mode, (uint64_t) seed, (uint64_t) offset, (uint32_t) stream,
                         scales, packed, &W);
    free(W.words);
    return 0;
}

/* Scaled 1x16, stochastic rounding, a finite tensor (encT, decT as lb_cpu_scaled_packed). */
static inline int lb_cpu_scaled_packed_sr(const float* x, int cols, int row0, int row1, int scaleFormat,
                                          float encT, float decT, long long seed, long long offset, int stream,
                                          unsigned char* scales, unsigned char* packed) {
    if (!lb_cpu_mx_scaled_args_ok(scaleFormat, encT, decT) || cols < 0 || row0 < 0 || row1 < row0) return 1;
    if (!lb_cpu_has_avx2_fma()) return 1;
    if (cols == 0 || row0 == row1) return 0;
    lb_cpu_mx_sr_scratch W;
    if (!lb_cpu_mx_sr_alloc(&W, cols)) return 1;
    lb_cpu_mx_scaled_params P;
    lb_cpu_mx_scaled_init(&P, scaleFormat, encT, decT);
    lb_cpu_mx_scaled_rows_sr(x, cols, row0, row1, &P, (uint64_t) seed, (uint64_t) offset, (uint32_t) stream,
                             scales, packed, &W);
    free(W.words);
    return 0;
}

/* words[at + k] = the contract-3 word of element first + k under (seed, offset, stream), k < count. */
static inline int lb_cpu_philox_words(long long seed, long long offset, int stream, long long first, int count,
                                      unsigned int* words, int at) {
    if (count < 0 || first < 0 || at < 0) return 1;
    if (!lb_cpu_has_avx2_fma()) return 1;
    lb_cpu_philox_fill((uint64_t) seed, (uint64_t) offset, (uint32_t) stream, (uint64_t) first, count, words + at);
    return 0;
}

/* max |x[i]| for i in [from, to), compared as the unsigned bits of |x| (a NaN of any payload
 * is above Inf, Inf above every finite value); returns the float with those bits (+0 for an
 * empty range). */
static inline float lb_cpu_abs_max(const float* x, long long from, long long to) {
    if (to <= from) return 0.0f;
    if (lb_cpu_has_avx2_fma()) return lb_cpu_mx_bitsf(lb_cpu_mx_abs_max_avx2(x, from, to));
    return lb_cpu_mx_bitsf(lb_cpu_mx_amax_bits(x, from, to));
}

#endif /* LOWBIT_CPU_MX_H */
