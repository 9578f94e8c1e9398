// Blockwise kernels (contract 7.2, 7.3) and their launchers, plus the host twins that run the same
// per-element pieces (lowbit_blockwise.cuh) on the CPU for the host checks.
//
// Quantization and the blockwise optimizer steps (AdamW, SGD, Lion; 8-bit or 4-bit packed states)
// use one thread block per quantization block: the block's absmax is a reduction over its own
// threads (max of |x| bits, order-free), so it never needs a second kernel or global
// synchronization. A step makes two passes over its block with the same inputs: pass 1 computes
// the updated states and their new absmax, pass 2 computes them again (same bits), writes p and
// requantizes. Recomputing avoids holding the block in shared memory, so any block size works.
// Each thread handles units (1 element, or a pair sharing a byte when packed), the same units in
// both passes, so it only ever rewrites codes it has read itself.
#pragma once

#include "lowbit_blockwise.cuh"

static const int LB_BW_MAX_CODES = 256;  // Codebook.of: 2..256 values

// ---- device side ------------------------------------------------------------------------------

#ifdef __CUDACC__
// Max over the thread block (blockDim.x a multiple of 32, at most 1024). Every thread gets the
// result; the trailing barrier lets the caller reuse the scratch and read old state safely.
__device__ uint32_t lb_bw_block_max(uint32_t v) {
    __shared__ uint32_t warpMax[32];
    for (int o = 16; o > 0; o >>= 1) v = lb_bw_max_u32(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) warpMax[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < (int) (blockDim.x >> 5) ? warpMax[lane] : 0u;
        for (int o = 16; o > 0; o >>= 1) v = lb_bw_max_u32(v, __shfl_xor_sync(0xFFFFFFFFu, v, o));
        if (lane == 0) warpMax[0] = v;
    }
    __syncthreads();
    uint32_t result = warpMax[0];
    __syncthreads();
    return result;
}

// Copies a codebook into shared memory (values[midCount+1], mid[midCount]); call before a barrier.
__device__ lb_bw_book lb_bw_shared_book(const lb_bw_book& global, float* sValues, float* sMid) {
    for (int k = threadIdx.x; k <= global.midCount; k += blockDim.x) {
        sValues[k] = global.values[k];
        if (k < global.midCount) sMid[k] = global.mid[k];
    }
    lb_bw_book b;
    b.values = sValues;
    b.mid = sMid;
    b.midCount = global.midCount;
    return b;
}

__global__ void lb_bw_quantize_kernel(lb_bw_book globalBook, bool packed, int blockSize, const float* __restrict__ x,
                                      long long n, float* __restrict__ absmax, uint8_t* __restrict__ codes) {
    __shared__ float sValues[LB_BW_MAX_CODES], sMid[LB_BW_MAX_CODES];
    lb_bw_book book = lb_bw_shared_book(globalBook, sValues, sMid);
    __syncthreads();
    long long blocks = (n + blockSize - 1) / blockSize;
    long long step = (long long) blockDim.x * lb_bw_unit_width(packed);
    for (long long b = blockIdx.x; b < blocks; b += gridDim.x) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        long long first = from + (long long) threadIdx.x * lb_bw_unit_width(packed);
        uint32_t mine = 0;
        for (long long i0 = first; i0 < to; i0 += step) mine = lb_bw_quantize_unit_max(x, i0, lb_bw_unit_count(i0, to, packed), mine);
        float amax = lb_bw_absmax(lb_bw_block_max(mine));
        float divisor = lb_bw_divisor(amax);
        for (long long i0 = first; i0 < to; i0 += step) {
            lb_bw_quantize_unit_store(book, x, codes, i0, lb_bw_unit_count(i0, to, packed), divisor, packed);
        }
        if (threadIdx.x == 0) absmax[b] = amax;
    }
}

__global__ void lb_bw_dequantize_kernel(const float* __restrict__ values, bool packed, int blockSize,
                                        const uint8_t* __restrict__ codes, const float* __restrict__ absmax, long long n,
                                        float* __restrict__ out) {
    lb_bw_book book;
    book.values = values;
    book.mid = nullptr;
    book.midCount = 0;
    LB_GRID_STRIDE_LOOP(i, n) out[i] = lb_bw_decode(book, lb_bw_code_at(codes, i, packed), absmax[i / blockSize]);
}

// The blockwise optimizer step; st1 is unused by one-state rules.
__global__ void lb_opt_blocks_kernel(lb_opt_rule r, lb_opt_state st0, lb_opt_state st1, bool packed, int blockSize,
                                     float* __restrict__ p, const float* __restrict__ g, long long n,
                                     unsigned long long* nonFinite) {
    __shared__ float sValues[2][LB_BW_MAX_CODES], sMid[2][LB_BW_MAX_CODES];
    int states = lb_opt_states(r.kind);
    lb_opt_state st[2] = {st0, st1};
    for (int k = 0; k < states; k++) st[k].book = lb_bw_shared_book(st[k].book, sValues[k], sMid[k]);
    __syncthreads();
    unsigned long long bad = 0;
    long long blocks = (n + blockSize - 1) / blockSize;
    long long step = (long long) blockDim.x * lb_bw_unit_width(packed);
    for (long long b = blockIdx.x; b < blocks; b += gridDim.x) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        long long first = from + (long long) threadIdx.x * lb_bw_unit_width(packed);
        float oldAbsmax[2] = {0.0f, 0.0f}, divisor[2] = {0.0f, 0.0f}, newAbsmax[2] = {0.0f, 0.0f};
        for (int k = 0; k < states; k++) oldAbsmax[k] = st[k].absmax[b];  // read before the barriers below
        uint32_t max[2] = {0, 0};
        for (long long i0 = first; i0 < to; i0 += step) {
            lb_opt_unit_max(r, st, packed, p, g, oldAbsmax, i0, lb_bw_unit_count(i0, to, packed), max);
        }
        for (int k = 0; k < states; k++) {
            newAbsmax[k] = lb_bw_absmax(lb_bw_block_max(max[k]));
            divisor[k] = lb_bw_divisor(newAbsmax[k]);
        }
        for (long long i0 = first; i0 < to; i0 += step) {
            bad += (unsigned long long) lb_opt_unit_store(r, st, packed, p, g, oldAbsmax, i0,
                                                          lb_bw_unit_count(i0, to, packed), divisor);
        }
        if (threadIdx.x == 0) {
            for (int k = 0; k < states; k++) st[k].absmax[b] = newAbsmax[k];
        }
    }
    if (bad != 0) atomicAdd(nonFinite, bad);
}

// 32-bit states: one element per thread (grid-stride); s1 unused by one-state rules.
__global__ void lb_opt32_kernel(lb_opt_rule r, float* __restrict__ p, const float* __restrict__ g, float* __restrict__ s0,
                                float* __restrict__ s1, long long n, unsigned long long* nonFinite) {
    unsigned long long bad = 0;
    bool two = lb_opt_states(r.kind) == 2;
    LB_GRID_STRIDE_LOOP(i, n) {
        float pi = p[i], a = s0[i], c = two ? s1[i] : 0.0f;
        bad += (unsigned long long) lb_opt_element(r, g[i], &pi, &a, &c);
        p[i] = pi;
        s0[i] = a;
        if (two) s1[i] = c;
    }
    if (bad != 0) atomicAdd(nonFinite, bad);
}
#endif  // __CUDACC__

static inline lb_opt_rule lb_make_opt_rule(int kind, const float* scalars) {
    lb_opt_rule r;
    r.kind = kind;
    int count = kind == LB_OPT_ADAMW ? 8 : (kind == LB_OPT_SGD ? 3 : 6);
    for (int k = 0; k < 8; k++) r.f[k] = k < count ? scalars[k] : 0.0f;
    return r;
}

static inline lb_bw_book lb_make_book(const float* values, const float* mid, int midCount) {
    lb_bw_book b;
    b.values = values;
    b.mid = mid;
    b.midCount = midCount;
    return b;
}

static inline lb_opt_state lb_make_opt_state(const float* values, const float* mid, int midCount, uint8_t* codes,
                                             float* absmax) {
    lb_opt_state s;
    s.book = lb_make_book(values, mid, midCount);
    s.codes = codes;
    s.absmax = absmax;
    return s;
}

static inline unsigned lb_bw_grid(long long blocks) {
    return (unsigned) (blocks < 1 ? 1 : (blocks > LB_MAX_BLOCKS ? LB_MAX_BLOCKS : blocks));
}

// ---- launchers (device addresses; n elements starting at a block boundary) ------------------------

static int lb_launch_bw_quantize(long long values, long long mid, int midCount, int packed, int blockSize, long long x,
                                 long long n, long long absmax, long long codes, long long cuStream) {
    if (n <= 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_bw_quantize_kernel<<<lb_bw_grid((n + blockSize - 1) / blockSize), LB_THREADS, 0, s>>>(
            lb_make_book(lb_dev<const float>(values), lb_dev<const float>(mid), midCount), packed != 0, blockSize,
            lb_dev<const float>(x), n, lb_dev<float>(absmax), lb_dev<uint8_t>(codes));
    return lb_after_launch(s);
}

static int lb_launch_bw_dequantize(long long values, int packed, int blockSize, long long codes, long long absmax,
                                   long long n, long long out, long long cuStream) {
    if (n <= 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_bw_dequantize_kernel<<<lb_blocks(n), LB_THREADS, 0, s>>>(lb_dev<const float>(values), packed != 0, blockSize,
            lb_dev<const uint8_t>(codes), lb_dev<const float>(absmax), n, lb_dev<float>(out));
    return lb_after_launch(s);
}

// Runs launch(counter) with a zeroed device counter and returns its value in *countOut.
template <typename Launch>
static int lb_with_counter(cudaStream_t s, long long* countOut, Launch launch) {
    *countOut = 0;
    unsigned long long* counter = nullptr;
    LB_TRY(cudaMalloc(&counter, sizeof *counter));
    int err = (int) cudaMemsetAsync(counter, 0, sizeof *counter, s);
    if (err == 0) {
        lb_before_launch();
        launch(counter);
        err = lb_after_launch(s);
    }
    unsigned long long host = 0;
    if (err == 0) err = (int) cudaMemcpy(&host, counter, sizeof host, cudaMemcpyDeviceToHost);
    cudaFree(counter);
    *countOut = (long long) host;
    return err;
}

// kind: LB_OPT_*; scalars: host array in the Java record's order; the second state (codes1,
// absmax1, its book) is 0 for one-state rules. nonFiniteOut: host.
static int lb_launch_opt_blocks(int kind, const float* scalars, int packed, long long values0, long long mid0,
                                int midCount0, long long values1, long long mid1, int midCount1, int blockSize, long long p,
                                long long g, long long codes0, long long absmax0, long long codes1, long long absmax1,
                                long long n, long long* nonFiniteOut, long long cuStream) {
    *nonFiniteOut = 0;
    if (n <= 0) return 0;
    lb_opt_rule r = lb_make_opt_rule(kind, scalars);
    lb_opt_state st0 = lb_make_opt_state(lb_dev<const float>(values0), lb_dev<const float>(mid0), midCount0,
                                         lb_dev<uint8_t>(codes0), lb_dev<float>(absmax0));
    lb_opt_state st1 = lb_make_opt_state(lb_dev<const float>(values1), lb_dev<const float>(mid1), midCount1,
                                         lb_dev<uint8_t>(codes1), lb_dev<float>(absmax1));
    cudaStream_t s = lb_stream(cuStream);
    return lb_with_counter(s, nonFiniteOut, [&](unsigned long long* counter) {
        lb_opt_blocks_kernel<<<lb_bw_grid((n + blockSize - 1) / blockSize), LB_THREADS, 0, s>>>(
                r, st0, st1, packed != 0, blockSize, lb_dev<float>(p), lb_dev<const float>(g), n, counter);
    });
}

static int lb_launch_opt32(int kind, const float* scalars, long long p, long long g, long long s0, long long s1, long long n,
                           long long* nonFiniteOut, long long cuStream) {
    *nonFiniteOut = 0;
    if (n <= 0) return 0;
    lb_opt_rule r = lb_make_opt_rule(kind, scalars);
    cudaStream_t s = lb_stream(cuStream);
    return lb_with_counter(s, nonFiniteOut, [&](unsigned long long* counter) {
        lb_opt32_kernel<<<lb_blocks(n), LB_THREADS, 0, s>>>(r, lb_dev<float>(p), lb_dev<const float>(g), lb_dev<float>(s0),
                                                           lb_dev<float>(s1), n, counter);
    });
}

// ---- host twins (BlockwiseKernels' signature: absolute indices, blocks [blockFrom, blockTo)) ------
// The kernels' per-unit bodies, units in order, one block after another.

static void lb_host_bw_quantize(const float* values, const float* mid, int midCount, int packed, int blockSize,
                                const float* x, int n, float* absmax, signed char* codes, int blockFrom, int blockTo) {
    lb_bw_book book = lb_make_book(values, mid, midCount);
    bool pk = packed != 0;
    for (long long b = blockFrom; b < blockTo; b++) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        uint32_t maxBits = 0;
        for (long long i0 = from; i0 < to; i0 += lb_bw_unit_width(pk)) {
            maxBits = lb_bw_quantize_unit_max(x, i0, lb_bw_unit_count(i0, to, pk), maxBits);
        }
        float amax = lb_bw_absmax(maxBits);
        float divisor = lb_bw_divisor(amax);
        for (long long i0 = from; i0 < to; i0 += lb_bw_unit_width(pk)) {
            lb_bw_quantize_unit_store(book, x, (uint8_t*) codes, i0, lb_bw_unit_count(i0, to, pk), divisor, pk);
        }
        absmax[b] = amax;
    }
}

static void lb_host_bw_dequantize(const float* values, int packed, int blockSize, const signed char* codes,
                                  const float* absmax, int n, float* out, int blockFrom, int blockTo) {
    lb_bw_book book = lb_make_book(values, nullptr, 0);
    for (long long b = blockFrom; b < blockTo; b++) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        for (long long i = from; i < to; i++) out[i] = lb_bw_decode(book, lb_bw_code_at((const uint8_t*) codes, i, packed != 0), absmax[b]);
    }
}

static int lb_host_opt_blocks(int kind, const float* scalars, int packed, const float* values0, const float* mid0,
                              int midCount0, const float* values1, const float* mid1, int midCount1, int blockSize,
                              float* p, const float* g, signed char* codes0, float* absmax0, signed char* codes1,
                              float* absmax1, int n, int blockFrom, int blockTo) {
    lb_opt_rule r = lb_make_opt_rule(kind, scalars);
    lb_opt_state st[2] = {lb_make_opt_state(values0, mid0, midCount0, (uint8_t*) codes0, absmax0),
                          lb_make_opt_state(values1, mid1, midCount1, (uint8_t*) codes1, absmax1)};
    int states = lb_opt_states(kind);
    bool pk = packed != 0;
    int bad = 0;
    for (long long b = blockFrom; b < blockTo; b++) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        float oldAbsmax[2] = {0.0f, 0.0f}, divisor[2] = {0.0f, 0.0f}, newAbsmax[2] = {0.0f, 0.0f};
        for (int k = 0; k < states; k++) oldAbsmax[k] = st[k].absmax[b];
        uint32_t max[2] = {0, 0};
        for (long long i0 = from; i0 < to; i0 += lb_bw_unit_width(pk)) {
            lb_opt_unit_max(r, st, pk, p, g, oldAbsmax, i0, lb_bw_unit_count(i0, to, pk), max);
        }
        for (int k = 0; k < states; k++) {
            newAbsmax[k] = lb_bw_absmax(max[k]);
            divisor[k] = lb_bw_divisor(newAbsmax[k]);
        }
        for (long long i0 = from; i0 < to; i0 += lb_bw_unit_width(pk)) {
            bad += lb_opt_unit_store(r, st, pk, p, g, oldAbsmax, i0, lb_bw_unit_count(i0, to, pk), divisor);
        }
        for (int k = 0; k < states; k++) st[k].absmax[b] = newAbsmax[k];
    }
    return bad;
}

static int lb_host_opt32(int kind, const float* scalars, float* p, const float* g, float* s0, float* s1, int from, int to) {
    lb_opt_rule r = lb_make_opt_rule(kind, scalars);
    int bad = 0;
    for (int i = from; i < to; i++) {
        float unused = 0.0f;
        bad += lb_opt_element(r, g[i], &p[i], &s0[i], lb_opt_states(kind) == 2 ? &s1[i] : &unused);
    }
    return bad;
}
