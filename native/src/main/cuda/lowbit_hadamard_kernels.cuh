// Hadamard kernel (contract 6) and its launcher; the schedule is described in lowbit_hadamard.cuh
// and replayed on the host by lowbit_hadamard_host.cuh.
#pragma once

#include "lowbit_hadamard.cuh"

// Threads per CUDA block are G * T: G transform blocks of T = n / R threads each, G filling small
// transforms up to 128 threads. T and G are powers of two, so a transform's lanes never leave
// their warp in the shuffle stages (partner lane tl ^ m with m < T, m < 32). Idle groups of the
// last CUDA block still take part in the shuffles and barriers, on zeros, and store nothing.
// __launch_bounds__(1024): n >= 8192 runs 1024 threads, so at most 64 registers each.
template <int R>
__global__ void __launch_bounds__(1024) lb_hadamard_kernel(lb_hadamard_job j, int groupsPerCta) {
    extern __shared__ float lb_hadamard_smem[];
    const int n = j.n;
    const int T = n / R;
    const int g = threadIdx.x / T;
    const int tl = threadIdx.x % T;
    const long long rounds = (j.blocks + groupsPerCta - 1) / groupsPerCta;
    for (long long q = blockIdx.x; q < rounds; q += gridDim.x) {
        const long long blk = q * groupsPerCta + g;
        const bool active = blk < j.blocks;
        float v[R];
        if (active) {
            lb_hadamard_load<R>(j, blk, tl, v);
        } else {
#pragma unroll
            for (int r = 0; r < R; r++) v[r] = 0.0f;
        }
        lb_hadamard_register_stages<R>(v);
        for (int h = R; h < n && h < 32 * R; h <<= 1) {
            const int m = h / R;
            const bool upper = (tl & m) != 0;
#pragma unroll
            for (int r = 0; r < R; r++) {
                float partner = __shfl_xor_sync(0xFFFFFFFFu, v[r], m);
                v[r] = lb_hadamard_combine(v[r], partner, upper);
            }
        }
        if (n > 32 * R) {
            float* s = lb_hadamard_smem + (long long) g * n;
#pragma unroll
            for (int r = 0; r < R; r++) s[tl * R + r] = v[r];
            __syncthreads();
            for (int h = 32 * R; h < n; h <<= 1) {
                for (int p = tl; p < n / 2; p += T) lb_hadamard_shared_stage(s, h, p);
                __syncthreads();
            }
#pragma unroll
            for (int r = 0; r < R; r++) v[r] = s[tl * R + r];
            __syncthreads();  // s is rewritten by the next round
        }
        if (active) lb_hadamard_store<R>(j, blk, tl, v);
    }
}

template <int R>
static int lb_launch_hadamard_r(const lb_hadamard_job& j, cudaStream_t s) {
    int T = j.n / R;
    int groups = T >= 128 ? 1 : 128 / T;
    size_t shared = j.n > 32 * R ? (size_t) groups * j.n * sizeof(float) : 0;
    if (shared > 48 * 1024) {
        // n = 16384, 32768: 64 or 128 KiB, above the default limit (sm_80 allows 163 KiB)
        LB_TRY(cudaFuncSetAttribute(lb_hadamard_kernel<R>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int) shared));
    }
    long long rounds = (j.blocks + groups - 1) / groups;
    unsigned ctas = (unsigned) (rounds < LB_MAX_BLOCKS ? rounds : LB_MAX_BLOCKS);
    lb_before_launch();
    lb_hadamard_kernel<R><<<ctas, groups * T, shared, s>>>(j, groups);
    return lb_after_launch(s);
}

// x, y (may be equal), signs: device addresses (signs only read for signMode LB_SIGNS_GIVEN).
static int lb_launch_hadamard(long long x, long long y, long long blocks, int n, float scale, int inverse,
                              int signMode, long long signs, long long seed, long long offset, int stream,
                              long long cuStream) {
    if (blocks == 0) return 0;
    lb_hadamard_job j = lb_make_hadamard_job(lb_dev<const float>(x), lb_dev<float>(y), blocks, n, scale, inverse,
                                             signMode, lb_dev<const float>(signs), seed, offset, stream);
    cudaStream_t s = lb_stream(cuStream);
    switch (lb_hadamard_regs(n)) {
        case 2: return lb_launch_hadamard_r<2>(j, s);
        case 4: return lb_launch_hadamard_r<4>(j, s);
        case 8: return lb_launch_hadamard_r<8>(j, s);
        case 16: return lb_launch_hadamard_r<16>(j, s);
        case 32: return lb_launch_hadamard_r<32>(j, s);
        default: return (int) cudaErrorInvalidValue;
    }
}
