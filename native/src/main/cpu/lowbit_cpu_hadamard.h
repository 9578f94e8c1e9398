/* Block Hadamard transform (contract section 6) with AVX2, bit for bit equal to the scalar
 * Java reference (io.lowbit.backend.scalar.ScalarHadamard).
 *
 * Why any schedule gives the reference bits: every butterfly output is ONE rounding of a+b or
 * a-b, where a and b are outputs of the previous stage. So the stages may be fused, the
 * butterflies of a stage reordered, and data kept in registers: each value is still computed
 * from the same two inputs by the same single rounding. Two identities are used below:
 *   - fma(b, -1, a) is exactly a-b rounded once, i.e. the bits of a-b (b*-1 is exact and the
 *     FMA rounds once), and fma(b, +1, a) is the bits of a+b (= b+a: IEEE addition commutes,
 *     signed zeros included). This is NOT contraction of a multiply into an add; it only lets
 *     half of the adds/subs run on the FMA pipes. Compile with -ffp-contract=off all the same.
 *   - Multiplying by +1/-1 is exact, so the sign multiplies of contract 6 are single ops here.
 * NaN results are NaN wherever the reference gives NaN (payload/sign of a NaN may differ).
 *
 * Layout: one __m256 holds 8 consecutive floats. Stages h = 1, 2, 4 happen inside a vector
 * (shuffle + FMA with a +-1 pattern); stages h >= 8 are butterflies between whole vectors,
 * done R at a time (R = 2..16 vectors loaded at a stride, log2 R stages, stored back).
 * Blocks up to 2^12 floats (16 KiB) stay in L1 between passes; larger blocks first get their
 * inner 12 stages chunk by chunk (each chunk in L1), then the outer stages in passes over the
 * block (in L2), like FFHT. Forward signs are applied as the first pass loads, the scale and
 * inverse signs as the last pass stores, so a block in L1 costs one read and one write of memory.
 *
 * The library is built without -mavx2: SIMD functions carry target("avx2,fma") and run only
 * after the CPU said it has both. */
#ifndef LOWBIT_CPU_HADAMARD_H
#define LOWBIT_CPU_HADAMARD_H

#include <immintrin.h>

#define LB_HAD_AVX __attribute__((target("avx2,fma")))
#define LB_HAD_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

/* Floats per chunk for the inner stages of a large block: 16 KiB, half of a 32 KiB L1. */
#define LB_HAD_CHUNK_LOG 12

/* ---------- scalar reference (used for n = 2, 4 tails; also documents the contract) ---------- */

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
/* The first `stages` (0..3) stages of the canonical order on one vector. */
LB_HAD_INLINE __m256 lb_cpu_had_inreg(__m256 v, int stages) {
    if (stages > 0) v = lb_cpu_had_h1(v);
    if (stages > 1) v = lb_cpu_had_h2(v);
    if (stages > 2) v = lb_cpu_had_h4(v);
    return v;
}

/* ---------- butterflies between vectors ---------- */

/* log2 R stages on r[0..R): vector t pairs with t+h for h = 1, 2, .. R/2 where (t & h) == 0.
 * With vector t at float offset t*S this is stages S, 2S, .. (R/2)S of the canonical order.
 * The sum goes to the add pipes, the difference (fnmadd(b,1,a) = a-b) to the FMA pipes. */
LB_HAD_INLINE void lb_cpu_had_cross(__m256* r, int R) {
    const __m256 one = _mm256_set1_ps(1.0f);
#pragma GCC unroll 4
    for (int h = 1; h < R; h <<= 1) {
#pragma GCC unroll 16
        for (int t = 0; t < R; t++) {
            if ((t & h) == 0) {
                __m256 a = r[t], b = r[t + h];
                r[t] = _mm256_add_ps(a, b);
                r[t + h] = _mm256_fnmadd_ps(b, one, a);
            }
        }
    }
}

/* What the last pass does before storing: v*scale, then signs*v (inverse only). */
typedef struct {
    int apply_scale;
    __m256 scale;
    const float* signs; /* inverse signs of the block, or NULL */
} lb_cpu_had_post;

LB_HAD_INLINE __m256 lb_cpu_had_finish(__m256 v, const lb_cpu_had_post* post, long long at) {
    if (post->apply_scale) v = _mm256_mul_ps(v, post->scale);
    if (post->signs) v = _mm256_mul_ps(_mm256_loadu_ps(post->signs + at), v);
    return v;
}

/* Broadcast outside the callers, which are not compiled for AVX. */
LB_HAD_AVX static void lb_cpu_had_set_scale(lb_cpu_had_post* post, float scale) {
    post->scale = _mm256_set1_ps(scale);
}

/* ---------- passes ---------- */

/* First pass over `len` floats at p (len a multiple of 8V): each group of V consecutive vectors
 * (8V floats, V = 1..8) gets the forward signs, `inreg` in-vector stages and log2 V stages
 * between vectors. `pre` (forward signs, indexed like p) may be NULL; so may `post`. */
LB_HAD_INLINE void lb_cpu_had_first(float* p, long long len, int V, int inreg, const float* pre,
                                    const lb_cpu_had_post* post) {
    for (long long g = 0; g < len; g += 8 * V) {
        __m256 r[8];
#pragma GCC unroll 8
        for (int t = 0; t < V; t++) {
            __m256 v = _mm256_loadu_ps(p + g + 8 * t);
            if (pre) v = _mm256_mul_ps(_mm256_loadu_ps(pre + g + 8 * t), v);
            r[t] = lb_cpu_had_inreg(v, inreg);
        }
        lb_cpu_had_cross(r, V);
#pragma GCC unroll 8
        for (int t = 0; t < V; t++) {
            __m256 v = post ? lb_cpu_had_finish(r[t], post, g + 8 * t) : r[t];
            _mm256_storeu_ps(p + g + 8 * t, v);
        }
    }
}

/* A pass of radix R (2..16) at stride S floats (a multiple of 8) over `len` floats at p
 * (a multiple of R*S): stages S .. (R/2)S. `post` may be NULL; its signs are indexed like p. */
LB_HAD_INLINE void lb_cpu_had_pass(float* p, long long len, long long S, int R,
                                   const lb_cpu_had_post* post) {
    for (long long g = 0; g < len; g += R * S) {
        for (long long o = g; o < g + S; o += 8) {
            __m256 r[16];
#pragma GCC unroll 16
            for (int t = 0; t < R; t++) r[t] = _mm256_loadu_ps(p + o + t * S);
            lb_cpu_had_cross(r, R);
#pragma GCC unroll 16
            for (int t = 0; t < R; t++) {
                __m256 v = post ? lb_cpu_had_finish(r[t], post, o + t * S) : r[t];
                _mm256_storeu_ps(p + o + t * S, v);
            }
        }
    }
}

/* Stages S, 2S, .. up to (but not including) n over a region of n floats, in passes of
 * radix 8 (a final radix 2 or 4 takes what is left); the last pass applies `post`. */
LB_HAD_INLINE void lb_cpu_had_passes(float* p, long long n, long long S, const lb_cpu_had_post* post) {
    while (S < n) {
        long long left = n / S; /* 2^(stages left) */
        const lb_cpu_had_post* last = left <= 16 ? post : 0;
        if (left == 2) { lb_cpu_had_pass(p, n, S, 2, last); S *= 2; }
        else if (left == 4) { lb_cpu_had_pass(p, n, S, 4, last); S *= 4; }
        else if (left == 16) { lb_cpu_had_pass(p, n, S, 16, last); S *= 16; }
        else { lb_cpu_had_pass(p, n, S, 8, last); S *= 8; }
    }
}

/* ---------- whole blocks ---------- */

/* One block of n >= 64 floats that fits L1 (n <= 2^LB_HAD_CHUNK_LOG): a first pass of 6
 * stages on 64-float groups, then passes of the rest. `pre`/`post` as in the passes. */
LB_HAD_INLINE void lb_cpu_had_l1_block(float* p, int n, const float* pre, const lb_cpu_had_post* post) {
    lb_cpu_had_first(p, n, 8, 3, pre, n == 64 ? post : 0);
    lb_cpu_had_passes(p, n, 64, post);
}

LB_HAD_AVX static void lb_cpu_had_small(float* data, long long blocks, int n, int k,
                                        const float* fwd, const lb_cpu_had_post* post) {
    /* n = 2..32: in-vector stages, and for n = 16, 32 one or two stages between vectors. */
    long long total = blocks * n;
    if (n >= 8) {
        /* One block at a time when there are signs: they are indexed within the block. */
        int V = n / 8;
        long long len = fwd || post->signs ? n : total;
        for (long long at = 0; at < total; at += len) {
            if (V == 1) lb_cpu_had_first(data + at, len, 1, 3, fwd, post);
            else if (V == 2) lb_cpu_had_first(data + at, len, 2, 3, fwd, post);
            else lb_cpu_had_first(data + at, len, 4, 3, fwd, post);
        }
        return;
    }
    /* n = 2, 4: one vector holds 8/n blocks; the sign pattern repeats every n lanes. */
    float fs[8], is[8];
    const float* ps = post->signs;
    for (int i = 0; i < 8; i++) {
        fs[i] = fwd ? fwd[i & (n - 1)] : 1.0f;
        is[i] = ps ? ps[i & (n - 1)] : 1.0f;
    }
    __m256 fsv = _mm256_loadu_ps(fs), isv = _mm256_loadu_ps(is);
    long long whole = total & ~7LL;
    for (long long i = 0; i < whole; i += 8) {
        __m256 v = _mm256_loadu_ps(data + i);
        if (fwd) v = _mm256_mul_ps(fsv, v);
        v = lb_cpu_had_inreg(v, k);
        if (post->apply_scale) v = _mm256_mul_ps(v, post->scale);
        if (ps) v = _mm256_mul_ps(isv, v);
        _mm256_storeu_ps(data + i, v);
    }
    float sc = _mm_cvtss_f32(_mm256_castps256_ps128(post->scale));
    const float* signs = fwd ? fwd : ps;
    for (long long i = whole; i < total; i += n)
        lb_cpu_had_scalar_block(data + i, n, post->apply_scale, sc, signs, ps != 0);
}

LB_HAD_AVX static void lb_cpu_had_medium(float* data, long long blocks, int n, const float* fwd,
                                         const lb_cpu_had_post* post) {
    /* 64 <= n <= 2^12: each block is read once from memory and finished in L1. */
    for (long long b = 0; b < blocks; b++) {
        float* p = data + b * n;
        if (n == 64) lb_cpu_had_first(p, 64, 8, 3, fwd, post);
        else lb_cpu_had_l1_block(p, n, fwd, post);
    }
}

LB_HAD_AVX static void lb_cpu_had_large(float* data, long long blocks, int n, const float* fwd,
                                        const lb_cpu_had_post* post) {
    /* n > 2^12: the inner 12 stages chunk by chunk (a chunk is exactly a 2^12 transform of its
     * floats), then stages 2^12 .. n/2 over the whole block. */
    const long long C = 1LL << LB_HAD_CHUNK_LOG;
    lb_cpu_had_post shifted = *post;
    for (long long b = 0; b < blocks; b++) {
        float* p = data + b * n;
        for (long long c = 0; c < n; c += C) lb_cpu_had_l1_block(p + c, (int) C, fwd ? fwd + c : 0, 0);
        (void) shifted;
        lb_cpu_had_passes(p, n, C, post);
    }
}

/* In place over `blocks` consecutive blocks of n floats starting at data[offset].
 * signs: NULL or n floats (+1/-1). apply_scale: 0 or 1. inverse: 0 or 1.
 * Returns 0 when done, 1 when this CPU lacks AVX2+FMA (nothing was written; the caller falls back). */
static inline int lb_cpu_hadamard(float* data, long long offset, long long blocks, int n,
                                  int apply_scale, float scale, const float* signs, int inverse) {
    static int supported = -1; /* cached CPU check; a benign race (every thread stores the same) */
    if (supported < 0) {
        __builtin_cpu_init();
        supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
    }
    if (!supported) return 1;
    if (n < 2 || blocks <= 0) return 0;
    int k = 0;
    while ((1 << k) < n) k++;
    float* p = data + offset;
    const float* fwd = signs && !inverse ? signs : 0;
    lb_cpu_had_post post;
    post.apply_scale = apply_scale;
    post.signs = signs && inverse ? signs : 0;
    lb_cpu_had_set_scale(&post, scale);
    if (n < 64) lb_cpu_had_small(p, blocks, n, k, fwd, &post);
    else if (k <= LB_HAD_CHUNK_LOG) lb_cpu_had_medium(p, blocks, n, fwd, &post);
    else lb_cpu_had_large(p, blocks, n, fwd, &post);
    return 0;
}

#endif
