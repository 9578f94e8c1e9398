/* Block Hadamard transform (contract section 6) with AVX2, bit for bit equal to the scalar
 * Java reference (io.lowbit.backend.scalar.ScalarHadamard.block).
 *
 * Why any schedule gives the reference bits: every butterfly output is ONE rounding of a+b or
 * a-b, where a and b are outputs of the previous stage. So the stages may be fused, the
 * butterflies of one stage reordered, and data kept in registers: each value is still computed
 * from the same two inputs by the same single rounding. The stages themselves keep their
 * canonical order h = 1, 2, 4, .. n/2. Identities used below:
 *   - fma(b, -1, a) is exactly a-b rounded once, i.e. the bits of a-b (b*-1 is exact and the
 *     FMA rounds once), and fma(b, +1, a) is the bits of a+b (= b+a: IEEE addition commutes,
 *     signed zeros included). This is NOT contraction of a multiply into an add; it only lets
 *     half of the adds/subs run on the FMA pipes. Compile with -ffp-contract=off all the same.
 *   - With signs of +1/-1 (the contract's), s*x is exact. It is one float multiply, or, when a
 *     call covers enough blocks to pay for turning the signs into bits once (8 per 32-bit word,
 *     an eighth of the cache footprint: the float array beside a 16 KiB block fills L1, which
 *     made forward signs 1.5x slower on data from memory), an XOR of the sign bits: the same
 *     bits as the multiply except the sign of a NaN.
 *   - The scale is one float multiply, as in the reference; the inverse signs follow it.
 * NaN results are NaN wherever the reference gives NaN (the payload/sign of a NaN may differ).
 *
 * Layout: one __m256 holds 8 consecutive floats. Stages h = 1, 2, 4 happen inside a vector
 * (shuffle + FMA with a +-1 pattern); stages h >= 8 are butterflies between whole vectors,
 * R at a time (R = 2..16 vectors loaded at a stride S, log2 R stages, stored back): a "pass".
 * A block of up to 2^12 floats (16 KiB) stays in L1 from its first pass to its last; a larger
 * block gets its inner 12 stages chunk by chunk (each chunk in L1), then the outer stages in
 * passes over the whole block (in L2), like FFHT. The forward signs are applied as the first
 * pass loads, the scale and inverse signs as the last pass stores, so a block in L1 costs one
 * read and one write of memory.
 *
 * The library is built without -mavx2: the SIMD functions carry target("avx2,fma") and run
 * only after the CPU said it has both. */
#ifndef LOWBIT_CPU_HADAMARD_H
#define LOWBIT_CPU_HADAMARD_H

#include <immintrin.h>
#include <stdint.h>

#include "lowbit_cpu_features.h"

#define LB_HAD_AVX __attribute__((target("avx2,fma")))
#define LB_HAD_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

/* log2 of the floats per chunk for the inner stages of a large block (16 KiB, half of L1). */
#define LB_HAD_CHUNK_LOG 12
#define LB_HAD_MAX_N (1 << 15)

/* ---------- scalar code: the contract as written (n = 2, 4 leftovers) ---------- */

static inline void lb_cpu_had_scalar_block(float* v, int n, int apply_scale, float scale,
                                           const float* signs, int inverse) {
    if (signs && !inverse) for (int i = 0; i < n; i++) v[i] = signs[i] * v[i];
    for (int h = 1; h < n; h <<= 1)
        for (int j = 0; j < n; j++)
            if ((j & (2 * h - 1)) < h) {
                float a = v[j], b = v[j + h];
                v[j] = a + b;
                v[j + h] = a - b;
            }
    if (apply_scale) for (int i = 0; i < n; i++) v[i] *= scale;
    if (signs && inverse) for (int i = 0; i < n; i++) v[i] = signs[i] * v[i];
}

/* ---------- in-vector stages ---------- */

/* Stage h=1 inside a vector: lane i pairs with lane i^1. s = v with neighbours swapped;
 * out = v*(+1 on even lanes, -1 on odd) + s: even lane j gets v[j]+v[j+1], odd lane j+1 gets
 * v[j]-v[j+1]. Likewise h=2 (lanes i^2) and h=4 (the two 128-bit halves). */
LB_HAD_INLINE __m256 lb_cpu_had_h1(__m256 v) {
    const __m256 pm = _mm256_setr_ps(1, -1, 1, -1, 1, -1, 1, -1);
    return _mm256_fmadd_ps(v, pm, _mm256_permute_ps(v, 0xB1));
}
LB_HAD_INLINE __m256 lb_cpu_had_h2(__m256 v) {
    const __m256 pm = _mm256_setr_ps(1, 1, -1, -1, 1, 1, -1, -1);
    return _mm256_fmadd_ps(v, pm, _mm256_permute_ps(v, 0x4E));
}
LB_HAD_INLINE __m256 lb_cpu_had_h4(__m256 v) {
    const __m256 pm = _mm256_setr_ps(1, 1, 1, 1, -1, -1, -1, -1);
    return _mm256_fmadd_ps(v, pm, _mm256_permute2f128_ps(v, v, 0x01));
}

/* ---------- signs ---------- */

/* Signs of a block, as floats or as bits (at most one of f, w set; neither: no signs).
 * Bit i of w[j] is the sign bit of float sign 8j + i (1 where the sign is -1). */
typedef struct {
    const float* f;
    const uint32_t* w;
} lb_cpu_had_signs;

LB_HAD_AVX static void lb_cpu_had_sign_bits(const float* signs, int n, uint32_t* w) {
    for (int j = 0; j < n; j += 8) w[j / 8] = (uint32_t) _mm256_movemask_ps(_mm256_loadu_ps(signs + j));
}

/* The signs from float `at` of the block on. */
static inline lb_cpu_had_signs lb_cpu_had_signs_at(lb_cpu_had_signs s, long long at) {
    if (s.f) s.f += at;
    if (s.w) s.w += at / 8;
    return s;
}

/* v with lane i's sign flipped where bit i of *w is set. */
LB_HAD_INLINE __m256 lb_cpu_had_flip(__m256 v, const uint32_t* w) {
    const __m256i to_top = _mm256_setr_epi32(31, 30, 29, 28, 27, 26, 25, 24); /* bit i -> bit 31 */
    const __m256 sign = _mm256_castsi256_ps(_mm256_set1_epi32((int) 0x80000000u));
    __m256i m = _mm256_sllv_epi32(_mm256_set1_epi32((int) *w), to_top);
    return _mm256_xor_ps(v, _mm256_and_ps(_mm256_castsi256_ps(m), sign));
}

/* signs * v for the 8 floats from `at` (a multiple of 8) of the block. */
LB_HAD_INLINE __m256 lb_cpu_had_apply_signs(__m256 v, lb_cpu_had_signs s, long long at) {
    if (s.w) return lb_cpu_had_flip(v, s.w + at / 8);
    return _mm256_mul_ps(_mm256_loadu_ps(s.f + at), v);
}

/* What the last pass does before it stores: v*scale, then the inverse signs. */
typedef struct {
    int apply_scale;
    float scale;
    lb_cpu_had_signs signs; /* inverse signs, or none */
} lb_cpu_had_post;

/* `at`: the float index within the block of v's first lane (a multiple of 8). */
LB_HAD_INLINE __m256 lb_cpu_had_finish(__m256 v, lb_cpu_had_post post, long long at) {
    if (post.apply_scale) v = _mm256_mul_ps(v, _mm256_set1_ps(post.scale));
    if (post.signs.f || post.signs.w) v = lb_cpu_had_apply_signs(v, post.signs, at);
    return v;
}

/* ---------- butterflies between vectors ---------- */

/* log2 R stages on r[0..R): vector t pairs with t+h for h = 1, 2, .. R/2 where (t & h) == 0.
 * With vector t at float offset t*S this is stages S, 2S, .. (R/2)S of the canonical order.
 * The sum goes to the add pipes, the difference (fnmadd(b,1,a) = a-b) to the FMA pipes.
 * Written out rather than as loops so that r stays in registers (gcc keeps arrays indexed in
 * loops on the stack, and the extra stores were the bottleneck). */
LB_HAD_INLINE void lb_cpu_had_cross(__m256* r, int R) {
    const __m256 one = _mm256_set1_ps(1.0f);
#define LB_HAD_BF(i, j)                                                                           \
    do {                                                                                          \
        __m256 a_ = r[i], b_ = r[j];                                                              \
        r[i] = _mm256_add_ps(a_, b_);                                                             \
        r[j] = _mm256_fnmadd_ps(b_, one, a_);                                                     \
    } while (0)
    if (R >= 2) { /* h = 1 */
        LB_HAD_BF(0, 1);
        if (R >= 4) LB_HAD_BF(2, 3);
        if (R >= 8) { LB_HAD_BF(4, 5); LB_HAD_BF(6, 7); }
        if (R >= 16) { LB_HAD_BF(8, 9); LB_HAD_BF(10, 11); LB_HAD_BF(12, 13); LB_HAD_BF(14, 15); }
    }
    if (R >= 4) { /* h = 2 */
        LB_HAD_BF(0, 2); LB_HAD_BF(1, 3);
        if (R >= 8) { LB_HAD_BF(4, 6); LB_HAD_BF(5, 7); }
        if (R >= 16) { LB_HAD_BF(8, 10); LB_HAD_BF(9, 11); LB_HAD_BF(12, 14); LB_HAD_BF(13, 15); }
    }
    if (R >= 8) { /* h = 4 */
        LB_HAD_BF(0, 4); LB_HAD_BF(1, 5); LB_HAD_BF(2, 6); LB_HAD_BF(3, 7);
        if (R >= 16) { LB_HAD_BF(8, 12); LB_HAD_BF(9, 13); LB_HAD_BF(10, 14); LB_HAD_BF(11, 15); }
    }
    if (R >= 16) { /* h = 8 */
        LB_HAD_BF(0, 8); LB_HAD_BF(1, 9); LB_HAD_BF(2, 10); LB_HAD_BF(3, 11);
        LB_HAD_BF(4, 12); LB_HAD_BF(5, 13); LB_HAD_BF(6, 14); LB_HAD_BF(7, 15);
    }
#undef LB_HAD_BF
}

/* ---------- passes (n, V, R, S are compile-time constants wherever these are inlined) ---------- */

/* First pass over `len` floats at p, in blocks of n floats: each group of V consecutive vectors
 * (8V floats, V = 1..8, 8V <= n) gets the forward signs, the in-vector stages h = 1, 2, 4 and
 * the log2 V stages h = 8 .. 4V. `pre`: the forward signs (or none); `post` may be NULL. */
LB_HAD_INLINE void lb_cpu_had_first(float* p, long long len, int n, int V, lb_cpu_had_signs pre,
                                    const lb_cpu_had_post* post) {
    lb_cpu_had_post pv = {0, 1.0f, {0, 0}};
    if (post) pv = *post; /* a local copy: the stores to p could otherwise alias *post */
    for (long long g = 0; g < len; g += 8 * V) {
        long long at = g & (n - 1); /* index within the block */
        __m256 r[8];
#pragma GCC unroll 8
        for (int t = 0; t < V; t++) {
            __m256 v = _mm256_loadu_ps(p + g + 8 * t);
            if (pre.f || pre.w) v = lb_cpu_had_apply_signs(v, pre, at + 8 * t);
            r[t] = lb_cpu_had_h4(lb_cpu_had_h2(lb_cpu_had_h1(v)));
        }
        lb_cpu_had_cross(r, V);
#pragma GCC unroll 8
        for (int t = 0; t < V; t++) {
            __m256 v = post ? lb_cpu_had_finish(r[t], pv, at + 8 * t) : r[t];
            _mm256_storeu_ps(p + g + 8 * t, v);
        }
    }
}

/* A pass of radix R (2..16) at stride S floats (a multiple of 8) over one block of `len`
 * floats at p (a multiple of R*S): stages S, 2S, .. (R/2)S. `post` may be NULL. */
LB_HAD_INLINE void lb_cpu_had_pass(float* p, long long len, long long S, int R,
                                   const lb_cpu_had_post* post) {
    lb_cpu_had_post pv = {0, 1.0f, {0, 0}};
    if (post) pv = *post;
    for (long long g = 0; g < len; g += R * S) {
        for (long long o = g; o < g + S; o += 8) {
            __m256 r[16];
#pragma GCC unroll 16
            for (int t = 0; t < R; t++) r[t] = _mm256_loadu_ps(p + o + t * S);
            lb_cpu_had_cross(r, R);
#pragma GCC unroll 16
            for (int t = 0; t < R; t++)
                if (post) r[t] = lb_cpu_had_finish(r[t], pv, o + t * S);
#pragma GCC unroll 16
            for (int t = 0; t < R; t++) _mm256_storeu_ps(p + o + t * S, r[t]);
        }
    }
}

/* Stages S, 2S, .. n/2 of one block of n floats, in the fewest passes of radix 16, 8, 4 or 2
 * (radix 16 only when it finishes: its 16 vectors fill the 16 ymm registers, it spills a few);
 * the last pass applies `post`. With n and S constants this folds to a fixed list of passes. */
LB_HAD_INLINE void lb_cpu_had_passes(float* p, long long n, long long S, const lb_cpu_had_post* post) {
#pragma GCC unroll 4
    while (S < n) {
        long long left = n / S; /* 2^(stages left) */
        if (left == 2) { lb_cpu_had_pass(p, n, S, 2, post); S *= 2; }
        else if (left == 4) { lb_cpu_had_pass(p, n, S, 4, post); S *= 4; }
        else if (left == 8) { lb_cpu_had_pass(p, n, S, 8, post); S *= 8; }
        else if (left == 16) { lb_cpu_had_pass(p, n, S, 16, post); S *= 16; }
        else { lb_cpu_had_pass(p, n, S, 8, 0); S *= 8; }
    }
}

/* ---------- whole blocks ---------- */

/* One block of 64 <= n <= 2^LB_HAD_CHUNK_LOG floats (it stays in L1): the first pass does
 * stages 1 .. 32, the passes the rest. */
LB_HAD_INLINE void lb_cpu_had_block(float* p, long long n, lb_cpu_had_signs pre, const lb_cpu_had_post* post) {
    lb_cpu_had_first(p, n, (int) n, 8, pre, n == 64 ? post : 0);
    lb_cpu_had_passes(p, n, 64, post);
}

/* One block of n > 2^LB_HAD_CHUNK_LOG floats: the inner stages chunk by chunk (on a chunk of
 * C floats they are exactly a transform of size C), then the outer stages C .. n/2 in passes
 * over the whole block, which stays in L2. */
LB_HAD_INLINE void lb_cpu_had_big_block(float* p, long long n, lb_cpu_had_signs pre, const lb_cpu_had_post* post) {
    const long long C = 1LL << LB_HAD_CHUNK_LOG;
    for (long long c = 0; c < n; c += C) lb_cpu_had_block(p + c, C, lb_cpu_had_signs_at(pre, c), 0);
    if (!post->signs.f || n / C <= 4) {
        lb_cpu_had_passes(p, n, C, post);
        return;
    }
    /* Float inverse signs under the radix-8 outer pass of n = 2^15 would be 8 more streams 16 KiB
     * apart beside the 8 of data: more lines of one L1 set than it has ways, 3x slower. So that
     * pass applies only the scale, and the signs follow in a contiguous pass over the block. */
    lb_cpu_had_post scale_only = *post;
    scale_only.signs.f = 0;
    lb_cpu_had_passes(p, n, C, &scale_only);
    for (long long i = 0; i < n; i += 8)
        _mm256_storeu_ps(p + i, _mm256_mul_ps(_mm256_loadu_ps(post->signs.f + i), _mm256_loadu_ps(p + i)));
}

/* ---------- one function per n, so that every stride and count is a constant ---------- */

#define LB_HAD_DEFINE_N(K)                                                                        \
    LB_HAD_AVX static void lb_cpu_had_n##K(float* data, long long blocks, lb_cpu_had_signs pre,  \
                                           const lb_cpu_had_post* post) {                         \
        const long long n = 1LL << K;                                                             \
        if (K <= 6) /* one first pass over all blocks */                                          \
            lb_cpu_had_first(data, blocks * n, (int) n, (int) (n / 8), pre, post);                \
        else if (K <= LB_HAD_CHUNK_LOG)                                                           \
            for (long long b = 0; b < blocks; b++) lb_cpu_had_block(data + b * n, n, pre, post);  \
        else                                                                                      \
            for (long long b = 0; b < blocks; b++) lb_cpu_had_big_block(data + b * n, n, pre, post); \
    }
LB_HAD_DEFINE_N(3) LB_HAD_DEFINE_N(4) LB_HAD_DEFINE_N(5) LB_HAD_DEFINE_N(6) LB_HAD_DEFINE_N(7)
LB_HAD_DEFINE_N(8) LB_HAD_DEFINE_N(9) LB_HAD_DEFINE_N(10) LB_HAD_DEFINE_N(11) LB_HAD_DEFINE_N(12)
LB_HAD_DEFINE_N(13) LB_HAD_DEFINE_N(14) LB_HAD_DEFINE_N(15)
#undef LB_HAD_DEFINE_N

/* n = 2, 4: a vector holds 8/n blocks, the in-vector stages h < n are the whole transform, and
 * the (float) sign pattern repeats every n lanes. A last partial vector goes to the scalar code. */
LB_HAD_INLINE void lb_cpu_had_tiny_loop(float* data, long long len, int k, const float* pre,
                                        int apply_scale, float scale, const float* post_signs, int n) {
    float fs[8], is[8];
    for (int i = 0; i < 8; i++) {
        fs[i] = pre ? pre[i & (n - 1)] : 1.0f;
        is[i] = post_signs ? post_signs[i & (n - 1)] : 1.0f;
    }
    const __m256 fsv = _mm256_loadu_ps(fs), isv = _mm256_loadu_ps(is), sc = _mm256_set1_ps(scale);
    for (long long i = 0; i < len; i += 8) {
        __m256 v = _mm256_loadu_ps(data + i);
        if (pre) v = _mm256_mul_ps(fsv, v);
        v = lb_cpu_had_h1(v);
        if (k == 2) v = lb_cpu_had_h2(v);
        if (apply_scale) v = _mm256_mul_ps(v, sc);
        if (post_signs) v = _mm256_mul_ps(isv, v);
        _mm256_storeu_ps(data + i, v);
    }
}
LB_HAD_AVX static void lb_cpu_had_tiny(float* data, long long blocks, int n, int apply_scale,
                                       float scale, const float* signs, int inverse) {
    const float* pre = signs && !inverse ? signs : 0;
    const float* post_signs = signs && inverse ? signs : 0;
    long long total = blocks * n, whole = total & ~7LL;
    if (n == 2) lb_cpu_had_tiny_loop(data, whole, 1, pre, apply_scale, scale, post_signs, 2);
    else lb_cpu_had_tiny_loop(data, whole, 2, pre, apply_scale, scale, post_signs, 4);
    for (long long i = whole; i < total; i += n)
        lb_cpu_had_scalar_block(data + i, n, apply_scale, scale, signs, inverse);
}

/* In place over `blocks` consecutive blocks of n floats starting at data[offset].
 * signs: NULL or n floats (+1/-1). apply_scale: 0 or 1. inverse: 0 or 1.
 * Returns 0 when done, 1 when this CPU lacks AVX2+FMA (nothing was written; the caller falls back). */
static inline int lb_cpu_hadamard(float* data, long long offset, long long blocks, int n,
                                  int apply_scale, float scale, const float* signs, int inverse) {
    if (!lb_cpu_has_avx2_fma()) return 1;
    if (n < 2 || n > LB_HAD_MAX_N || (n & (n - 1)) != 0 || blocks <= 0) return 0; /* never asked */
    float* p = data + offset;
    if (n < 8) {
        lb_cpu_had_tiny(p, blocks, n, apply_scale, scale, signs, inverse);
        return 0;
    }
    /* Sign bits pay when the call has 8 blocks or more (turning n signs into bits costs up to a
     * fifth of one block's transform); fewer blocks, as lb_cpu_hadamard_copy passes for
     * n >= 2048, use the floats. */
    uint32_t bits[LB_HAD_MAX_N / 8]; /* 16 KiB at most; n/8 words used */
    lb_cpu_had_signs s = {signs, 0}, none = {0, 0};
    if (signs && blocks >= 8) {
        lb_cpu_had_sign_bits(signs, n, bits);
        s.f = 0;
        s.w = bits;
    }
    lb_cpu_had_signs pre = signs && !inverse ? s : none;
    lb_cpu_had_post post;
    post.apply_scale = apply_scale;
    post.scale = scale;
    post.signs = signs && inverse ? s : none;
    switch (n) {
    case 1 << 3: lb_cpu_had_n3(p, blocks, pre, &post); break;
    case 1 << 4: lb_cpu_had_n4(p, blocks, pre, &post); break;
    case 1 << 5: lb_cpu_had_n5(p, blocks, pre, &post); break;
    case 1 << 6: lb_cpu_had_n6(p, blocks, pre, &post); break;
    case 1 << 7: lb_cpu_had_n7(p, blocks, pre, &post); break;
    case 1 << 8: lb_cpu_had_n8(p, blocks, pre, &post); break;
    case 1 << 9: lb_cpu_had_n9(p, blocks, pre, &post); break;
    case 1 << 10: lb_cpu_had_n10(p, blocks, pre, &post); break;
    case 1 << 11: lb_cpu_had_n11(p, blocks, pre, &post); break;
    case 1 << 12: lb_cpu_had_n12(p, blocks, pre, &post); break;
    case 1 << 13: lb_cpu_had_n13(p, blocks, pre, &post); break;
    case 1 << 14: lb_cpu_had_n14(p, blocks, pre, &post); break;
    default: lb_cpu_had_n15(p, blocks, pre, &post); break;
    }
    return 0;
}

#endif
