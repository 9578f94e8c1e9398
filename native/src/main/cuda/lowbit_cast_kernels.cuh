// Kernels of the cast and random families and their launchers (called from Java through
// io.lowbit.cuda.LowbitCuda). Each kernel is a grid-stride loop over a per-work-item body
// from lowbit_cast.cuh / lowbit_philox.cuh; lowbit_host_checks.cuh runs the same bodies on
// the CPU. Launchers return a cudaError_t as int after checking the launch and the stream.
#pragma once

#include "lowbit_cast.cuh"
#include "lowbit_philox.cuh"

template <typename Code>
__global__ void lb_encode_kernel(int f, lb_cast_options o, const float* __restrict__ x,
                                 Code* __restrict__ codes, long long n) {
    LB_GRID_STRIDE_LOOP(g, lb_groups(n)) lb_encode_group<Code>(f, o, x, codes, n, g);
}

template <typename Code>
__global__ void lb_decode_kernel(int f, const Code* __restrict__ codes, float* __restrict__ values,
                                 long long n) {
    LB_GRID_STRIDE_LOOP(g, lb_groups(n)) lb_decode_group<Code>(f, codes, values, n, g);
}

__global__ void lb_encode_packed_e2m1_kernel(lb_cast_options o, const float* __restrict__ x,
                                             uint8_t* __restrict__ packed, long long n) {
    LB_GRID_STRIDE_LOOP(g, lb_groups(n)) lb_encode_packed_e2m1_group(o, x, packed, n, g);
}

__global__ void lb_random_words_kernel(lb_random r, uint32_t* __restrict__ words, long long count) {
    LB_GRID_STRIDE_LOOP(g, lb_groups(count)) lb_words_group(r, words, count, g);
}

__global__ void lb_philox_kernel(const uint32_t* __restrict__ key, const uint32_t* __restrict__ counter,
                                 uint32_t* __restrict__ out, long long m) {
    LB_GRID_STRIDE_LOOP(j, m) lb_philox_block_item(key, counter, out, j);
}

// ---- launchers: device addresses as 64-bit integers, n >= 0 checked by Java ----------------

static int lb_launch_encode_u8(int f, long long x, long long codes, long long n, int saturate,
                               int stochastic, long long seed, long long offset, int stream, long long cuStream) {
    if (n == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_encode_kernel<uint8_t><<<lb_blocks(lb_groups(n)), LB_THREADS, 0, s>>>(
            f, lb_make_cast_options(saturate, stochastic, seed, offset, stream),
            lb_dev<const float>(x), lb_dev<uint8_t>(codes), n);
    return lb_after_launch(s);
}

static int lb_launch_encode_u16(int f, long long x, long long codes, long long n, int saturate,
                                int stochastic, long long seed, long long offset, int stream, long long cuStream) {
    if (n == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_encode_kernel<uint16_t><<<lb_blocks(lb_groups(n)), LB_THREADS, 0, s>>>(
            f, lb_make_cast_options(saturate, stochastic, seed, offset, stream),
            lb_dev<const float>(x), lb_dev<uint16_t>(codes), n);
    return lb_after_launch(s);
}

static int lb_launch_decode_u8(int f, long long codes, long long values, long long n, long long cuStream) {
    if (n == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_decode_kernel<uint8_t><<<lb_blocks(lb_groups(n)), LB_THREADS, 0, s>>>(
            f, lb_dev<const uint8_t>(codes), lb_dev<float>(values), n);
    return lb_after_launch(s);
}

static int lb_launch_decode_u16(int f, long long codes, long long values, long long n, long long cuStream) {
    if (n == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_decode_kernel<uint16_t><<<lb_blocks(lb_groups(n)), LB_THREADS, 0, s>>>(
            f, lb_dev<const uint16_t>(codes), lb_dev<float>(values), n);
    return lb_after_launch(s);
}

static int lb_launch_encode_packed_e2m1(long long x, long long packed, long long n, int saturate, int stochastic,
                                        long long seed, long long offset, int stream, long long cuStream) {
    if (n == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_encode_packed_e2m1_kernel<<<lb_blocks(lb_groups(n)), LB_THREADS, 0, s>>>(
            lb_make_cast_options(saturate, stochastic, seed, offset, stream),
            lb_dev<const float>(x), lb_dev<uint8_t>(packed), n);
    return lb_after_launch(s);
}

static int lb_launch_random_words(long long seed, long long offset, int stream, long long words, long long count,
                                  long long cuStream) {
    if (count == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_random_words_kernel<<<lb_blocks(lb_groups(count)), LB_THREADS, 0, s>>>(
            lb_make_random(1, seed, offset, stream), lb_dev<uint32_t>(words), count);
    return lb_after_launch(s);
}

static int lb_launch_philox(long long key, long long counter, long long out, long long m, long long cuStream) {
    if (m == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_philox_kernel<<<lb_blocks(m), LB_THREADS, 0, s>>>(
            lb_dev<const uint32_t>(key), lb_dev<const uint32_t>(counter), lb_dev<uint32_t>(out), m);
    return lb_after_launch(s);
}
