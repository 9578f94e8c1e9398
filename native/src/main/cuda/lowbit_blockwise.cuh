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

// Elements [from, to) of block b of a tensor of n elements cut into blocks of blockSize.
LB_HD long long lb_bw_block_from(long long b, int blockSize) { return b * (long long) blockSize; }
LB_HD long long lb_bw_block_to(long long b, int blockSize, long long n) {
    long long to = (b + 1) * (long long) blockSize;
    return to < n ? to : n;
}

// One element of 7.3 with 8-bit states: dequantize m, v with the block's old absmax, update.
// Both passes of the fused step (absmax of the new states, then requantize) call it with the same
// inputs, so they see the same bits.
LB_HD int lb_adamw8_element(const lb_adamw_scalars& s, const lb_bw_book& mBook, const lb_bw_book& vBook,
                            const float* p, const float* g, const uint8_t* mCodes, const uint8_t* vCodes,
                            float mOld, float vOld, long long i, float* pNew, float* mNew, float* vNew) {
    *mNew = lb_bw_decode(mBook, mCodes[i], mOld);
    *vNew = lb_bw_decode(vBook, vCodes[i], vOld);
    *pNew = p[i];
    return lb_adamw_element(s, g[i], pNew, mNew, vNew);
}
