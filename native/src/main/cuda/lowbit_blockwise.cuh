// Blockwise quantization with codebooks and the fused AdamW step, contract section 7: a mirror of
// io.lowbit.backend.scalar.ScalarBlockwise (absmax, normalized, nearestCode, dequantizeBlock,
// adamwElements). Only per-element pieces and the order-free absmax live here; the kernels
// (lowbit_blockwise_kernels.cuh) and their host twins compose them the same way.
#pragma once

#include <cmath>

#include "lowbit_common.cuh"

static const uint32_t LB_BW_NAN_BITS = 0x7FC00000u;  // Java's Float.NaN (ScalarBlockwise.absmax)

// A codebook as the kernels see it: values[0..size) ascending and the size-1 float32 midpoints
// (Codebook.valuesUnsafe / midpointsUnsafe, computed once in Java).
struct lb_bw_book {
    const float* values;
    const float* mid;
    int midCount;
};

// The float32 scalars of one AdamW step, computed on the host (AdamWScalars.of).
struct lb_adamw_scalars {
    float b1, a1, b2, a2, stepSize, bc2s, decay, eps;
};

// |x| as bits. For non-NaN values the unsigned order of these bits is the order of |x|, and every
// NaN lies above +Inf (0x7F800000): the max over a block is therefore order-free (contract 1) and a
// parallel reduction gives the same bits as the reference's sequential loop.
LB_HD uint32_t lb_bw_abs_bits(float x) { return lb_float_bits(x) & 0x7FFFFFFFu; }

LB_HD uint32_t lb_bw_max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }

// 7.2 absmax from the largest |x| bits of a block: NaN (Java's Float.NaN) if any element is NaN.
LB_HD float lb_bw_absmax(uint32_t maxAbsBits) {
    return lb_bits_float(maxAbsBits > 0x7F800000u ? LB_BW_NAN_BITS : maxAbsBits);
}

// max(absmax, 1e-38f) keeping a NaN absmax, as Java's Math.max does.
LB_HD float lb_bw_divisor(float amax) {
    if (amax != amax) return amax;
    return amax > 1e-38f ? amax : 1e-38f;
}

// ScalarBlockwise.normalized: v = x / divisor clamped to [-1, 1]; NaN stays NaN.
LB_HD float lb_bw_normalized(float x, float divisor) {
    float v = x / divisor;
    if (v > 1.0f) return 1.0f;
    if (v < -1.0f) return -1.0f;
    return v;
}

// ScalarBlockwise.nearestCode: the number of midpoints strictly below v (ties to the lower code),
// by the same binary search; a NaN v is below no midpoint: code 0.
LB_HD int lb_bw_nearest_code(const float* mid, int count, float v) {
    int lo = 0, hi = count;
    while (lo < hi) {
        int m = (int) ((unsigned) (lo + hi) >> 1);
        if (mid[m] < v) lo = m + 1; else hi = m;
    }
    return lo;
}

LB_HD uint8_t lb_bw_encode(const lb_bw_book& book, float x, float divisor) {
    return (uint8_t) lb_bw_nearest_code(book.mid, book.midCount, lb_bw_normalized(x, divisor));
}

// 7.2 dequantization: c[code] * absmax.
LB_HD float lb_bw_decode(const lb_bw_book& book, uint8_t code, float amax) { return book.values[code] * amax; }

// Contract 7.3 steps 1-3 for one element, in ScalarBlockwise.adamwElements' float32 order
// (no FMA: -fmad=false). Updates p, m, v; returns 1 when g is NaN or Inf (m = v = +0, p unchanged).
LB_HD int lb_adamw_element(const lb_adamw_scalars& s, float g, float* p, float* m, float* v) {
    if ((lb_float_bits(g) & 0x7FFFFFFFu) >= 0x7F800000u) {
        *m = 0.0f;
        *v = 0.0f;
        return 1;
    }
    float mj = s.b1 * *m + s.a1 * g;
    float vj = s.b2 * *v + s.a2 * (g * g);
    *m = mj;
    *v = vj;
    float pi = *p * s.decay;
    *p = pi - s.stepSize * (mj / (sqrtf(vj) / s.bc2s + s.eps));  // sqrtf correctly rounded (-prec-sqrt=true)
    return 0;
}

// docs/numerics-optim.md, ScalarBlockwise.sgdElements: f = {lr, momentum, weightDecay}.
LB_HD int lb_sgd_element(const float* f, float g, float* p, float* buf) {
    if ((lb_float_bits(g) & 0x7FFFFFFFu) >= 0x7F800000u) {
        *buf = 0.0f;
        return 1;
    }
    float d = g + f[2] * *p;
    float b = f[1] * *buf + d;
    *buf = b;
    *p = *p - f[0] * b;
    return 0;
}

// Math.signum(float): +-1, or the argument itself for +-0 and NaN.
LB_HD float lb_signum(float c) { return c > 0.0f ? 1.0f : (c < 0.0f ? -1.0f : c); }

// docs/numerics-optim.md, ScalarBlockwise.lionElements: f = {lr, b1, a1, b2, a2, decay}.
LB_HD int lb_lion_element(const float* f, float g, float* p, float* m) {
    if ((lb_float_bits(g) & 0x7FFFFFFFu) >= 0x7F800000u) {
        *m = 0.0f;
        return 1;
    }
    float c = f[1] * *m + f[2] * g;
    float pi = *p * f[5];
    *p = pi - f[0] * lb_signum(c);
    *m = f[3] * *m + f[4] * g;
    return 0;
}

// An optimizer rule and its float32 scalars, in the order of the Java records
// (AdamWScalars, SgdScalars, LionScalars). AdamW has two states (m, v), SGD and Lion one.
enum { LB_OPT_ADAMW = 0, LB_OPT_SGD = 1, LB_OPT_LION = 2 };

struct lb_opt_rule {
    int kind;
    float f[8];
};

LB_HD lb_adamw_scalars lb_adamw_of(const float* f) {
    lb_adamw_scalars s;
    s.b1 = f[0];
    s.a1 = f[1];
    s.b2 = f[2];
    s.a2 = f[3];
    s.stepSize = f[4];
    s.bc2s = f[5];
    s.decay = f[6];
    s.eps = f[7];
    return s;
}

LB_HD int lb_opt_states(int kind) { return kind == LB_OPT_ADAMW ? 2 : 1; }

// One element of the rule; s1 is ignored by one-state rules. Returns 1 for a NaN/Inf gradient.
LB_HD int lb_opt_element(const lb_opt_rule& r, float g, float* p, float* s0, float* s1) {
    switch (r.kind) {
        case LB_OPT_ADAMW: return lb_adamw_element(lb_adamw_of(r.f), g, p, s0, s1);
        case LB_OPT_SGD: return lb_sgd_element(r.f, g, p, s0);
        default: return lb_lion_element(r.f, g, p, s0);
    }
}

// Code of element i: one per byte, or packed two per byte (element 2j in the low nibble of byte j).
LB_HD uint8_t lb_bw_code_at(const uint8_t* codes, long long i, bool packed) {
    return packed ? (uint8_t) ((codes[i >> 1] >> ((i & 1) << 2)) & 0xF) : codes[i];
}

// Stores the codes c[0..count) of a unit starting at element i0: one element unpacked, or a pair
// (i0 even) packed. A lone last element of a packed block keeps the byte's high nibble, as the
// reference's nibble-wise store does.
LB_HD void lb_bw_store_unit(uint8_t* codes, long long i0, int count, const uint8_t* c, bool packed) {
    if (!packed) {
        codes[i0] = c[0];
    } else if (count == 2) {
        codes[i0 >> 1] = (uint8_t) (c[0] | (c[1] << 4));
    } else {
        codes[i0 >> 1] = (uint8_t) ((codes[i0 >> 1] & 0xF0) | c[0]);
    }
}

// Elements per unit: 1, or 2 for packed codes (4-bit block sizes are even, so a unit never straddles
// two blocks and no two threads write the same byte).
LB_HD int lb_bw_unit_width(bool packed) { return packed ? 2 : 1; }

// Elements [from, to) of block b of a tensor of n elements cut into blocks of blockSize.
LB_HD long long lb_bw_block_from(long long b, int blockSize) { return b * (long long) blockSize; }
LB_HD long long lb_bw_block_to(long long b, int blockSize, long long n) {
    long long to = (b + 1) * (long long) blockSize;
    return to < n ? to : n;
}

// One element of a blockwise optimizer step: dequantize its states with the block's old absmax
// (7.2), then update (7.3 steps 1-3, or SGD/Lion). Both passes of the fused step (new absmax, then
// requantize) call it with the same inputs, so they see the same bits.
struct lb_opt_state {
    lb_bw_book book;
    uint8_t* codes;
    float* absmax;
};

LB_HD int lb_opt_block_element(const lb_opt_rule& r, const lb_opt_state* st, bool packed, const float* p, const float* g,
                               const float* oldAbsmax, long long i, float* pNew, float* sNew) {
    int states = lb_opt_states(r.kind);
    for (int k = 0; k < states; k++) sNew[k] = lb_bw_decode(st[k].book, lb_bw_code_at(st[k].codes, i, packed), oldAbsmax[k]);
    *pNew = p[i];
    return lb_opt_element(r, g[i], pNew, &sNew[0], &sNew[1]);
}

// ---- per-unit bodies shared by the kernels and their host twins -------------------------------------
// A unit is the elements [i0, i0 + count) that one thread handles together: 1 element, or a pair
// when codes are packed. Pass 1 of a block folds |value| bits into a running max; pass 2 stores.

LB_HD int lb_bw_unit_count(long long i0, long long to, bool packed) {
    long long left = to - i0;
    int w = lb_bw_unit_width(packed);
    return left < w ? (int) left : w;
}

LB_HD uint32_t lb_bw_quantize_unit_max(const float* x, long long i0, int count, uint32_t max) {
    for (int e = 0; e < count; e++) max = lb_bw_max_u32(max, lb_bw_abs_bits(x[i0 + e]));
    return max;
}

LB_HD void lb_bw_quantize_unit_store(const lb_bw_book& book, const float* x, uint8_t* codes, long long i0, int count,
                                     float divisor, bool packed) {
    uint8_t c[2] = {0, 0};
    for (int e = 0; e < count; e++) c[e] = lb_bw_encode(book, x[i0 + e], divisor);
    lb_bw_store_unit(codes, i0, count, c, packed);
}

LB_HD void lb_opt_unit_max(const lb_opt_rule& r, const lb_opt_state* st, bool packed, const float* p, const float* g,
                           const float* oldAbsmax, long long i0, int count, uint32_t* max) {
    float pi, sNew[2] = {0.0f, 0.0f};
    for (int e = 0; e < count; e++) {
        lb_opt_block_element(r, st, packed, p, g, oldAbsmax, i0 + e, &pi, sNew);
        for (int k = 0; k < lb_opt_states(r.kind); k++) max[k] = lb_bw_max_u32(max[k], lb_bw_abs_bits(sNew[k]));
    }
}

// Pass 2 of a unit: the same updates again, p written, states requantized; returns the NaN/Inf count.
LB_HD int lb_opt_unit_store(const lb_opt_rule& r, const lb_opt_state* st, bool packed, float* p, const float* g,
                            const float* oldAbsmax, long long i0, int count, const float* divisor) {
    float pi, sNew[2] = {0.0f, 0.0f};
    uint8_t c[2][2] = {{0, 0}, {0, 0}};
    int bad = 0;
    int states = lb_opt_states(r.kind);
    for (int e = 0; e < count; e++) {
        bad += lb_opt_block_element(r, st, packed, p, g, oldAbsmax, i0 + e, &pi, sNew);
        p[i0 + e] = pi;
        for (int k = 0; k < states; k++) c[k][e] = lb_bw_encode(st[k].book, sNew[k], divisor[k]);
    }
    for (int k = 0; k < states; k++) lb_bw_store_unit(st[k].codes, i0, count, c[k], packed);
    return bad;
}
