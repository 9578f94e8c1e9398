// LSQ kernels (contract 8) and their launchers, plus host twins running the same pieces
// (lowbit_qat.cuh) on the CPU. The backward kernel gives one thread block per scale segment:
// threads sum aligned power-of-two leaves (lb_lsq_range_sums), one thread sums the tail, and
// thread 0 pushes leaf sums then tail into the binary counter in order: the canonical tree's bits.
#pragma once

#include <vector>

#include "lowbit_qat.cuh"

static inline lb_lsq_job lb_make_lsq_job(const float* x, const float* g, long long rows, long long cols, long long group,
                                         const float* scales, const float* offsets, int qn, int qp) {
    lb_lsq_job j;
    j.x = x;
    j.g = g;
    j.rows = rows;
    j.cols = cols;
    j.group = group;
    j.scales = scales;
    j.offsets = offsets;
    j.lo = (float) -qn;
    j.hi = (float) qp;
    j.q = nullptr;
    j.dx = nullptr;
    j.ds = nullptr;
    j.dOffsets = nullptr;
    j.gradScaleFull = 0.0f;
    j.gradScaleLast = 0.0f;
    return j;
}

LB_HD long long lb_lsq_segment_count(const lb_lsq_job& j) {
    return j.cols == 0 ? 0 : j.rows * lb_qat_per_row(j.cols, j.group);
}

// Writes ds[k] (and dOffsets[k]) from the segment's total sums.
LB_HD void lb_lsq_store_sums(const lb_lsq_job& j, long long k, float gradScale, float tTotal, float uTotal) {
    j.ds[k] = gradScale * tTotal;
    if (j.offsets != nullptr) j.dOffsets[k] = gradScale * uTotal;
}

// Thread 0's (or the host twin's) last step for one segment: leaf sums, then the tail, into the
// binary counter in order (the canonical tree), and ds[k] (and dOffsets[k]) written from the totals.
LB_HD void lb_lsq_combine_and_store(const lb_lsq_job& j, long long k, float gradScale, const float* leafT,
                                    const float* leafU, long long leaves, long long leaf, const float* tailT,
                                    const float* tailU, long long tail) {
    lb_pairwise ta, ua;
    lb_pw_init(ta);
    lb_pw_init(ua);
    for (long long t = 0; t < leaves; t++) {
        lb_pw_push(ta, leafT[t], leaf);
        lb_pw_push(ua, leafU[t], leaf);
    }
    if (tail > 0) {
        lb_pw_push(ta, *tailT, tail);  // read only when the segment has a tail (the kernel writes it only then)
        lb_pw_push(ua, *tailU, tail);
    }
    lb_lsq_store_sums(j, k, gradScale, lb_pw_finish(ta), lb_pw_finish(ua));
}

#ifdef __CUDACC__
__global__ void lb_lsq_forward_kernel(lb_lsq_job j) {
    LB_GRID_STRIDE_LOOP(i, j.rows * j.cols) lb_lsq_forward_element(j, i);
}

__global__ void lb_lsq_backward_kernel(lb_lsq_job j) {
    __shared__ float leafT[LB_QAT_MAX_LEAVES], leafU[LB_QAT_MAX_LEAVES];
    __shared__ float tailT, tailU;
    long long segments = lb_lsq_segment_count(j);
    for (long long k = blockIdx.x; k < segments; k += gridDim.x) {
        long long from, len;
        float gradScale;
        lb_lsq_segment(j, k, &from, &len, &gradScale);
        long long leaf = lb_qat_leaf_size(len), leaves = len / leaf, tail = len - leaves * leaf;
        for (long long t = threadIdx.x; t < leaves; t += blockDim.x) {
            lb_lsq_range_sums(j, k, from + t * leaf, leaf, &leafT[t], &leafU[t]);
        }
        if (threadIdx.x == blockDim.x - 1 && tail > 0) lb_lsq_range_sums(j, k, from + leaves * leaf, tail, &tailT, &tailU);
        __syncthreads();
        if (threadIdx.x == 0) lb_lsq_combine_and_store(j, k, gradScale, leafT, leafU, leaves, leaf, &tailT, &tailU, tail);
        __syncthreads();  // leaf slots are reused by the next segment
    }
}
#endif  // __CUDACC__

// ---- launchers: device addresses, offsets/dOffsets 0 for plain LSQ ----------------------------------

static int lb_launch_lsq_forward(long long x, int rows, int cols, int group, long long scales, long long offsets, int qn,
                                 int qp, long long q, long long cuStream) {
    lb_lsq_job j = lb_make_lsq_job(lb_dev<const float>(x), nullptr, rows, cols, group, lb_dev<const float>(scales),
                                   lb_dev<const float>(offsets), qn, qp);
    j.q = lb_dev<float>(q);
    long long n = (long long) rows * cols;
    if (n == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_lsq_forward_kernel<<<lb_blocks(n), LB_THREADS, 0, s>>>(j);
    return lb_after_launch(s);
}

static int lb_launch_lsq_backward(long long x, long long g, int rows, int cols, int group, long long scales,
                                  long long offsets, int qn, int qp, float gradScaleFull, float gradScaleLast, long long dx,
                                  long long ds, long long dOffsets, long long cuStream) {
    lb_lsq_job j = lb_make_lsq_job(lb_dev<const float>(x), lb_dev<const float>(g), rows, cols, group,
                                   lb_dev<const float>(scales), lb_dev<const float>(offsets), qn, qp);
    j.dx = lb_dev<float>(dx);
    j.ds = lb_dev<float>(ds);
    j.dOffsets = lb_dev<float>(dOffsets);
    j.gradScaleFull = gradScaleFull;
    j.gradScaleLast = gradScaleLast;
    long long segments = lb_lsq_segment_count(j);
    if (segments == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_lsq_backward_kernel<<<(unsigned) (segments > LB_MAX_BLOCKS ? LB_MAX_BLOCKS : segments), LB_THREADS, 0, s>>>(j);
    return lb_after_launch(s);
}

// ---- host twins -------------------------------------------------------------------------------------

static void lb_host_lsq_forward(const float* x, int rows, int cols, int group, const float* scales, const float* offsets,
                                int qn, int qp, float* q) {
    lb_lsq_job j = lb_make_lsq_job(x, nullptr, rows, cols, group, scales, offsets, qn, qp);
    j.q = q;
    for (long long i = 0; i < (long long) rows * cols; i++) lb_lsq_forward_element(j, i);
}

// The backward kernel's steps, one segment after another. leafSize > 0 (a power of two) replaces
// lb_qat_leaf_size, so tests can check that every leaf size gives the canonical tree's bits.
static void lb_host_lsq_backward(const float* x, const float* g, int rows, int cols, int group, const float* scales,
                                 const float* offsets, int qn, int qp, float gradScaleFull, float gradScaleLast, float* dx,
                                 float* ds, float* dOffsets, int leafSize) {
    lb_lsq_job j = lb_make_lsq_job(x, g, rows, cols, group, scales, offsets, qn, qp);
    j.dx = dx;
    j.ds = ds;
    j.dOffsets = dOffsets;
    j.gradScaleFull = gradScaleFull;
    j.gradScaleLast = gradScaleLast;
    for (long long k = 0; k < lb_lsq_segment_count(j); k++) {
        long long from, len;
        float gradScale;
        lb_lsq_segment(j, k, &from, &len, &gradScale);
        long long leaf = leafSize > 0 ? leafSize : lb_qat_leaf_size(len), leaves = len / leaf, tail = len - leaves * leaf;
        std::vector<float> leafT(leaves), leafU(leaves);
        for (long long t = 0; t < leaves; t++) lb_lsq_range_sums(j, k, from + t * leaf, leaf, &leafT[t], &leafU[t]);
        float tailT = 0.0f, tailU = 0.0f;
        if (tail > 0) lb_lsq_range_sums(j, k, from + leaves * leaf, tail, &tailT, &tailU);
        lb_lsq_combine_and_store(j, k, gradScale, leafT.data(), leafU.data(), leaves, leaf, &tailT, &tailU, tail);
    }
}

// The binary-counter pairwise sum alone over v[0..n) with leaves of leafSize (tests vs PairwiseSum).
static float lb_host_pairwise_sum(const float* v, int n, int leafSize) {
    long long leaves = n / leafSize, tail = n - leaves * leafSize;
    lb_pairwise all;
    lb_pw_init(all);
    for (long long t = 0; t <= leaves; t++) {
        long long from = t * leafSize, len = t < leaves ? leafSize : tail;
        if (len == 0) break;
        lb_pairwise part;
        lb_pw_init(part);
        for (long long i = from; i < from + len; i++) lb_pw_push(part, v[i], 1);
        lb_pw_push(all, lb_pw_finish(part), len);
    }
    return lb_pw_finish(all);
}
