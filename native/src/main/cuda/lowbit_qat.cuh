// Learned-step-size fake quantization (LSQ, LSQ+), contract section 8: a mirror of
// io.lowbit.backend.scalar.ScalarQat (quotient, rne, clamp, stepTerm, inside) and of the canonical
// pairwise tree of contract 1 (PairwiseSum.reference).
//
// The pairwise tree, computed left to right. sum(v[0..n)) splits at h, the largest power of two
// below n, and the left part of a power-of-two node is again a power of two, so the tree is: the
// perfect trees over the chunks given by n's binary digits (descending: 2^a1 > 2^a2 > ...), combined
// right-nested, C1 + (C2 + (... + Ck)). A binary counter builds exactly these chunks: push each
// value as a chunk of count 1 and add the top two (left + right) while their counts are equal;
// at the end fold the stack from the right (lb_pw_finish). Pushing, instead of single values,
// sums of aligned power-of-two leaves of L elements (each itself a perfect tree), then the sum of
// the last n mod L elements (the canonical tree of those, all of whose chunks are below L), gives
// the same additions in the same order. That is how the kernel splits a segment over threads:
// leaves in parallel, then one thread pushes the leaf sums and the tail in order.
#pragma once

#include <cmath>

#include "lowbit_common.cuh"

struct lb_pairwise {
    float sum[34];         // chunk sums, counts strictly decreasing from the bottom (at most 32 + 1 entries)
    long long count[34];
    int top;
};

LB_HD void lb_pw_init(lb_pairwise& a) { a.top = 0; }

LB_HD void lb_pw_push(lb_pairwise& a, float v, long long count) {
    a.sum[a.top] = v;
    a.count[a.top] = count;
    a.top++;
    while (a.top >= 2 && a.count[a.top - 1] == a.count[a.top - 2]) {
        a.sum[a.top - 2] = a.sum[a.top - 2] + a.sum[a.top - 1];
        a.count[a.top - 2] += a.count[a.top - 1];
        a.top--;
    }
}

// The right-nested fold of the chunks; the empty sum is +0 (PairwiseSum.reference).
LB_HD float lb_pw_finish(const lb_pairwise& a) {
    if (a.top == 0) return 0.0f;
    float s = a.sum[a.top - 1];
    for (int k = a.top - 2; k >= 0; k--) s = a.sum[k] + s;
    return s;
}

// Leaf size of a segment of len elements on the GPU: the smallest power of two giving at most
// LB_QAT_MAX_LEAVES leaves (one shared-memory slot each). Any power of two gives the same bits.
static const int LB_QAT_MAX_LEAVES = 1024;

LB_HD long long lb_qat_leaf_size(long long len) {
    long long leaf = 1;
    while (len / leaf > LB_QAT_MAX_LEAVES) leaf <<= 1;
    return leaf;
}

// ---- contract 8, per element (ScalarQat) ----------------------------------------------------------

// Round half to even, sign of zero kept (Math.rint); exact.
LB_HD float lb_qat_rne(float v) { return rintf(v); }

LB_HD float lb_qat_clamp(float r, float lo, float hi) { return r < lo ? lo : (r > hi ? hi : r); }

// t: rne(v) - v inside [lo, hi], lo below, hi above; NaN v gives NaN (ScalarQat.stepTerm).
LB_HD float lb_qat_step_term(float v, float lo, float hi) {
    if (v < lo) return lo;
    if (v > hi) return hi;
    return lb_qat_rne(v) - v;
}

// Segment layout of QatKernels: row r, segment j of the row; perRow = ceil(cols / group).
LB_HD long long lb_qat_per_row(long long cols, long long group) { return (cols + group - 1) / group; }

struct lb_lsq_job {
    const float* x;
    const float* g;        // backward only
    long long rows, cols, group;
    const float* scales;
    const float* offsets;  // null: plain LSQ
    float lo, hi;          // -qn, qp as float32 (ScalarQat converts the ints the same way)
    float* q;              // forward output
    float* dx;             // backward outputs
    float* ds;
    float* dOffsets;
    float gradScaleFull, gradScaleLast;  // ScalarQat.gradScale of a full / a row's last segment
};

LB_HD float lb_lsq_quotient(const lb_lsq_job& j, float x, long long k) {
    return (j.offsets == nullptr ? x : x - j.offsets[k]) / j.scales[k];
}

// ScalarQat.lsqForward for element i.
LB_HD void lb_lsq_forward_element(const lb_lsq_job& j, long long i) {
    long long r = i / j.cols, c = i % j.cols;
    long long k = r * lb_qat_per_row(j.cols, j.group) + c / j.group;
    float s = j.scales[k];
    float level = lb_qat_clamp(lb_qat_rne(lb_lsq_quotient(j, j.x[i], k)), j.lo, j.hi);
    j.q[i] = j.offsets == nullptr ? level * s : level * s + j.offsets[k];
}

// Segment k: first element, length, and its gradScale.
LB_HD void lb_lsq_segment(const lb_lsq_job& j, long long k, long long* from, long long* len, float* gradScale) {
    long long perRow = lb_qat_per_row(j.cols, j.group);
    long long r = k / perRow, c = k % perRow;
    *from = r * j.cols + c * j.group;
    long long left = j.cols - c * j.group;
    *len = left < j.group ? left : j.group;
    *gradScale = c == perRow - 1 ? j.gradScaleLast : j.gradScaleFull;
}

// Elements [from, from + len) of segment k: writes dx, and returns the pairwise sums of the
// terms g*t (and g*u when offsets are given) over them.
LB_HD void lb_lsq_range_sums(const lb_lsq_job& j, long long k, long long from, long long len, float* tSum, float* uSum) {
    lb_pairwise ta, ua;
    lb_pw_init(ta);
    lb_pw_init(ua);
    for (long long i = from; i < from + len; i++) {
        float v = lb_lsq_quotient(j, j.x[i], k);
        bool inside = v >= j.lo && v <= j.hi;
        float gi = j.g[i];
        j.dx[i] = inside ? gi : 0.0f;
        lb_pw_push(ta, gi * lb_qat_step_term(v, j.lo, j.hi), 1);
        if (j.offsets != nullptr) lb_pw_push(ua, gi * (inside ? 0.0f : 1.0f), 1);
    }
    *tSum = lb_pw_finish(ta);
    *uSum = lb_pw_finish(ua);
}
