// Shared pieces of every lowbit CUDA kernel family: host/device helpers for exact bit
// arithmetic, the launch shape, and error propagation to Java.
//
// Every function that computes a contract value is LB_HD (__host__ __device__), so the
// host check entry points run the very code the kernels run (see lowbit_host_checks.cuh).
#pragma once

#include <cstdint>
#include <cstring>
#include <cuda_runtime.h>

#define LB_HD __host__ __device__ __forceinline__

// ---- exact bit helpers -------------------------------------------------------------------

LB_HD uint32_t lb_float_bits(float x) {
#ifdef __CUDA_ARCH__
    return __float_as_uint(x);
#else
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    return u;
#endif
}

LB_HD float lb_bits_float(uint32_t u) {
#ifdef __CUDA_ARCH__
    return __uint_as_float(u);
#else
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
#endif
}

// Leading zeros as Java's Integer/Long.numberOfLeadingZeros (32/64 for zero).
LB_HD int lb_clz32(uint32_t x) {
    if (x == 0) return 32;
#ifdef __CUDA_ARCH__
    return __clz((int) x);
#else
    return __builtin_clz(x);
#endif
}

LB_HD int lb_clz64(uint64_t x) {
    if (x == 0) return 64;
#ifdef __CUDA_ARCH__
    return __clzll((long long) x);
#else
    return __builtin_clzll(x);
#endif
}

LB_HD int lb_max_int(int a, int b) { return a > b ? a : b; }
LB_HD int lb_min_int(int a, int b) { return a < b ? a : b; }

// ---- launch shape --------------------------------------------------------------------------

// Kernels are grid-stride loops over "work items" (usually groups of 4 elements, one Philox
// block each), so any n runs with a bounded grid; results never depend on the shape.
static const unsigned LB_THREADS = 256;
static const long long LB_MAX_BLOCKS = 65535;

static inline unsigned lb_blocks(long long work) {
    long long b = (work + LB_THREADS - 1) / LB_THREADS;
    if (b < 1) b = 1;
    if (b > LB_MAX_BLOCKS) b = LB_MAX_BLOCKS;
    return (unsigned) b;
}

// Work items of an op over n elements taken 4 at a time (one Philox block each).
LB_HD long long lb_groups(long long n) { return (n + 3) >> 2; }

// Index of this thread's first work item and the grid stride, as 64-bit numbers.
#define LB_GRID_STRIDE_LOOP(var, count)                                                     \
    for (long long var = (long long) blockIdx.x * blockDim.x + threadIdx.x; var < (count);    \
         var += (long long) gridDim.x * blockDim.x)

// ---- errors ----------------------------------------------------------------------------------

// Functions called from Java return a cudaError_t as int (0 = success); Java turns a nonzero
// value into CudaException naming the operation (CudaException.check).
#define LB_TRY(expr)                                                 \
    do {                                                             \
        cudaError_t lb_err_ = (expr);                                \
        if (lb_err_ != cudaSuccess) return (int) lb_err_;            \
    } while (0)

// Before a launch: forget a non-sticky error left by an earlier failed call (a cudaMalloc out of
// memory already reported to Java), so the launch check reports only this launch. Sticky errors
// (a faulted context) come back from cudaGetLastError again after the launch.
static inline void lb_before_launch() { (void) cudaGetLastError(); }

// After a launch: the launch error (bad configuration, no kernel image for this GPU...), then
// the execution result of everything on the stream.
static inline int lb_after_launch(cudaStream_t stream) {
    LB_TRY(cudaGetLastError());
    LB_TRY(cudaStreamSynchronize(stream));
    return 0;
}

static inline cudaStream_t lb_stream(long long s) { return (cudaStream_t) (uintptr_t) s; }

template <typename T>
static inline T* lb_dev(long long address) { return (T*) (uintptr_t) address; }
