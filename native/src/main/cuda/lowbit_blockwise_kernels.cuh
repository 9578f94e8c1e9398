// Blockwise kernels (contract 7.2, 7.3) and their launchers, plus the host twins that run the same
// per-element pieces (lowbit_blockwise.cuh) on the CPU for the host checks.
//
// Quantization and the 8-bit AdamW step use one thread block per quantization block: the block's
// absmax is a reduction over its own threads (max of |x| bits, order-free), so it never needs a
// second kernel or global synchronization. The fused step makes two passes over its block with
// the same inputs: pass 1 computes the updated states and their new absmax, pass 2 computes them
// again (same bits), writes p and requantizes. Recomputing avoids holding the block in shared
// memory, so any block size works.
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

// Copies a codebook into shared memory (values[size], mid[size-1]); call before a barrier.
__device__ lb_bw_book lb_bw_shared_book(const float* values, const float* mid, int midCount, float* sValues, float* sMid) {
    for (int k = threadIdx.x; k <= midCount; k += blockDim.x) {
        sValues[k] = values[k];
        if (k < midCount) sMid[k] = mid[k];
    }
    lb_bw_book b;
    b.values = sValues;
    b.mid = sMid;
    b.midCount = midCount;
    return b;
}

__global__ void lb_bw_quantize_kernel(const float* values, const float* mid, int midCount, int blockSize,
                                      const float* __restrict__ x, long long n, float* __restrict__ absmax,
                                      uint8_t* __restrict__ codes) {
    __shared__ float sValues[LB_BW_MAX_CODES], sMid[LB_BW_MAX_CODES];
    lb_bw_book book = lb_bw_shared_book(values, mid, midCount, sValues, sMid);
    __syncthreads();
    long long blocks = (n + blockSize - 1) / blockSize;
    for (long long b = blockIdx.x; b < blocks; b += gridDim.x) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        uint32_t mine = 0;
        for (long long i = from + threadIdx.x; i < to; i += blockDim.x) mine = lb_bw_max_u32(mine, lb_bw_abs_bits(x[i]));
        float amax = lb_bw_absmax(lb_bw_block_max(mine));
        float divisor = lb_bw_divisor(amax);
        for (long long i = from + threadIdx.x; i < to; i += blockDim.x) codes[i] = lb_bw_encode(book, x[i], divisor);
        if (threadIdx.x == 0) absmax[b] = amax;
    }
}

__global__ void lb_bw_dequantize_kernel(const float* __restrict__ values, int blockSize, const uint8_t* __restrict__ codes,
                                        const float* __restrict__ absmax, long long n, float* __restrict__ out) {
    lb_bw_book book;
    book.values = values;
    book.mid = nullptr;
    book.midCount = 0;
    LB_GRID_STRIDE_LOOP(i, n) out[i] = lb_bw_decode(book, codes[i], absmax[i / blockSize]);
}

__global__ void lb_adamw8_kernel(lb_adamw_scalars s, const float* mValues, const float* mMid, int mMidCount,
                                 const float* vValues, const float* vMid, int vMidCount, int blockSize,
                                 float* __restrict__ p, const float* __restrict__ g, uint8_t* __restrict__ mCodes,
                                 float* __restrict__ mAbsmax, uint8_t* __restrict__ vCodes, float* __restrict__ vAbsmax,
                                 long long n, unsigned long long* nonFinite) {
    __shared__ float smValues[LB_BW_MAX_CODES], smMid[LB_BW_MAX_CODES];
    __shared__ float svValues[LB_BW_MAX_CODES], svMid[LB_BW_MAX_CODES];
    lb_bw_book mBook = lb_bw_shared_book(mValues, mMid, mMidCount, smValues, smMid);
    lb_bw_book vBook = lb_bw_shared_book(vValues, vMid, vMidCount, svValues, svMid);
    __syncthreads();
    unsigned long long bad = 0;
    long long blocks = (n + blockSize - 1) / blockSize;
    for (long long b = blockIdx.x; b < blocks; b += gridDim.x) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        float mOld = mAbsmax[b], vOld = vAbsmax[b];  // read by all threads before the barriers below
        uint32_t mMax = 0, vMax = 0;
        float pi, mi, vi;
        for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
            lb_adamw8_element(s, mBook, vBook, p, g, mCodes, vCodes, mOld, vOld, i, &pi, &mi, &vi);
            mMax = lb_bw_max_u32(mMax, lb_bw_abs_bits(mi));
            vMax = lb_bw_max_u32(vMax, lb_bw_abs_bits(vi));
        }
        float mNew = lb_bw_absmax(lb_bw_block_max(mMax));
        float vNew = lb_bw_absmax(lb_bw_block_max(vMax));
        float mDivisor = lb_bw_divisor(mNew), vDivisor = lb_bw_divisor(vNew);
        // each thread rewrites only the elements it read itself, so old codes are never read after another thread's write
        for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
            bad += (unsigned long long) lb_adamw8_element(s, mBook, vBook, p, g, mCodes, vCodes, mOld, vOld, i, &pi, &mi, &vi);
            p[i] = pi;
            mCodes[i] = lb_bw_encode(mBook, mi, mDivisor);
            vCodes[i] = lb_bw_encode(vBook, vi, vDivisor);
        }
        if (threadIdx.x == 0) {
            mAbsmax[b] = mNew;
            vAbsmax[b] = vNew;
        }
    }
    if (bad != 0) atomicAdd(nonFinite, bad);
}

__global__ void lb_adamw32_kernel(lb_adamw_scalars s, float* __restrict__ p, const float* __restrict__ g,
                                  float* __restrict__ m, float* __restrict__ v, long long n,
                                  unsigned long long* nonFinite) {
    unsigned long long bad = 0;
    LB_GRID_STRIDE_LOOP(i, n) {
        float pi = p[i], mi = m[i], vi = v[i];
        bad += (unsigned long long) lb_adamw_element(s, g[i], &pi, &mi, &vi);
        p[i] = pi;
        m[i] = mi;
        v[i] = vi;
    }
    if (bad != 0) atomicAdd(nonFinite, bad);
}
#endif  // __CUDACC__

static inline lb_adamw_scalars lb_make_adamw_scalars(const float* f) {
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

static inline unsigned lb_bw_grid(long long blocks) {
    return (unsigned) (blocks < 1 ? 1 : (blocks > LB_MAX_BLOCKS ? LB_MAX_BLOCKS : blocks));
}

// ---- launchers (device addresses; n elements starting at a block boundary) ------------------------

static int lb_launch_bw_quantize(long long values, long long mid, int midCount, int blockSize, long long x, long long n,
                                 long long absmax, long long codes, long long cuStream) {
    if (n <= 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_bw_quantize_kernel<<<lb_bw_grid((n + blockSize - 1) / blockSize), LB_THREADS, 0, s>>>(
            lb_dev<const float>(values), lb_dev<const float>(mid), midCount, blockSize, lb_dev<const float>(x), n,
            lb_dev<float>(absmax), lb_dev<uint8_t>(codes));
    return lb_after_launch(s);
}

static int lb_launch_bw_dequantize(long long values, int blockSize, long long codes, long long absmax, long long n,
                                   long long out, long long cuStream) {
    if (n <= 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_bw_dequantize_kernel<<<lb_blocks(n), LB_THREADS, 0, s>>>(lb_dev<const float>(values), blockSize,
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

// scalars: host array of the 8 AdamWScalars in record order. nonFiniteOut: host.
static int lb_launch_adamw8(const float* scalars, long long mValues, long long mMid, int mMidCount, long long vValues,
                            long long vMid, int vMidCount, int blockSize, long long p, long long g, long long mCodes,
                            long long mAbsmax, long long vCodes, long long vAbsmax, long long n, long long* nonFiniteOut,
                            long long cuStream) {
    *nonFiniteOut = 0;
    if (n <= 0) return 0;
    lb_adamw_scalars sc = lb_make_adamw_scalars(scalars);
    cudaStream_t s = lb_stream(cuStream);
    return lb_with_counter(s, nonFiniteOut, [&](unsigned long long* counter) {
        lb_adamw8_kernel<<<lb_bw_grid((n + blockSize - 1) / blockSize), LB_THREADS, 0, s>>>(
                sc, lb_dev<const float>(mValues), lb_dev<const float>(mMid), mMidCount, lb_dev<const float>(vValues),
                lb_dev<const float>(vMid), vMidCount, blockSize, lb_dev<float>(p), lb_dev<const float>(g),
                lb_dev<uint8_t>(mCodes), lb_dev<float>(mAbsmax), lb_dev<uint8_t>(vCodes), lb_dev<float>(vAbsmax), n,
                counter);
    });
}

static int lb_launch_adamw32(const float* scalars, long long p, long long g, long long m, long long v, long long n,
                             long long* nonFiniteOut, long long cuStream) {
    *nonFiniteOut = 0;
    if (n <= 0) return 0;
    lb_adamw_scalars sc = lb_make_adamw_scalars(scalars);
    cudaStream_t s = lb_stream(cuStream);
    return lb_with_counter(s, nonFiniteOut, [&](unsigned long long* counter) {
        lb_adamw32_kernel<<<lb_blocks(n), LB_THREADS, 0, s>>>(sc, lb_dev<float>(p), lb_dev<const float>(g),
                lb_dev<float>(m), lb_dev<float>(v), n, counter);
    });
}

// ---- host twins (BlockwiseKernels' signature: absolute indices, blocks [blockFrom, blockTo)) ------

static lb_bw_book lb_host_book(const float* values, const float* mid, int midCount) {
    lb_bw_book b;
    b.values = values;
    b.mid = mid;
    b.midCount = midCount;
    return b;
}

static void lb_host_bw_quantize(const float* values, const float* mid, int midCount, int blockSize, const float* x, int n,
                                float* absmax, signed char* codes, int blockFrom, int blockTo) {
    lb_bw_book book = lb_host_book(values, mid, midCount);
    for (long long b = blockFrom; b < blockTo; b++) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        uint32_t maxBits = 0;
        for (long long i = from; i < to; i++) maxBits = lb_bw_max_u32(maxBits, lb_bw_abs_bits(x[i]));
        float amax = lb_bw_absmax(maxBits);
        float divisor = lb_bw_divisor(amax);
        for (long long i = from; i < to; i++) codes[i] = (signed char) lb_bw_encode(book, x[i], divisor);
        absmax[b] = amax;
    }
}

static void lb_host_bw_dequantize(const float* values, int blockSize, const signed char* codes, const float* absmax, int n,
                                  float* out, int blockFrom, int blockTo) {
    lb_bw_book book = lb_host_book(values, nullptr, 0);
    for (long long b = blockFrom; b < blockTo; b++) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        for (long long i = from; i < to; i++) out[i] = lb_bw_decode(book, (uint8_t) codes[i], absmax[b]);
    }
}

// The two passes of lb_adamw8_kernel, one block after another.
static int lb_host_adamw8(const float* scalars, const float* mValues, const float* mMid, int mMidCount,
                          const float* vValues, const float* vMid, int vMidCount, int blockSize, float* p, const float* g,
                          signed char* mCodes, float* mAbsmax, signed char* vCodes, float* vAbsmax, int n, int blockFrom,
                          int blockTo) {
    lb_adamw_scalars s = lb_make_adamw_scalars(scalars);
    lb_bw_book mBook = lb_host_book(mValues, mMid, mMidCount), vBook = lb_host_book(vValues, vMid, vMidCount);
    const uint8_t* mc = (const uint8_t*) mCodes;
    const uint8_t* vc = (const uint8_t*) vCodes;
    int bad = 0;
    for (long long b = blockFrom; b < blockTo; b++) {
        long long from = lb_bw_block_from(b, blockSize), to = lb_bw_block_to(b, blockSize, n);
        float mOld = mAbsmax[b], vOld = vAbsmax[b];
        uint32_t mMax = 0, vMax = 0;
        float pi, mi, vi;
        for (long long i = from; i < to; i++) {
            lb_adamw8_element(s, mBook, vBook, p, g, mc, vc, mOld, vOld, i, &pi, &mi, &vi);
            mMax = lb_bw_max_u32(mMax, lb_bw_abs_bits(mi));
            vMax = lb_bw_max_u32(vMax, lb_bw_abs_bits(vi));
        }
        float mNew = lb_bw_absmax(mMax), vNew = lb_bw_absmax(vMax);
        float mDivisor = lb_bw_divisor(mNew), vDivisor = lb_bw_divisor(vNew);
        for (long long i = from; i < to; i++) {
            bad += lb_adamw8_element(s, mBook, vBook, p, g, mc, vc, mOld, vOld, i, &pi, &mi, &vi);
            p[i] = pi;
            mCodes[i] = (signed char) lb_bw_encode(mBook, mi, mDivisor);
            vCodes[i] = (signed char) lb_bw_encode(vBook, vi, vDivisor);
        }
        mAbsmax[b] = mNew;
        vAbsmax[b] = vNew;
    }
    return bad;
}

static int lb_host_adamw32(const float* scalars, float* p, const float* g, float* m, float* v, int from, int to) {
    lb_adamw_scalars s = lb_make_adamw_scalars(scalars);
    int bad = 0;
    for (int i = from; i < to; i++) bad += lb_adamw_element(s, g[i], &p[i], &m[i], &v[i]);
    return bad;
}
