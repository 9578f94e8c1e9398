// Host entry points running the kernels' per-work-item bodies on the CPU, so that the exact
// code the GPU runs is tested bit for bit against the Java reference on machines without a GPU
// (nvcc compiles the __host__ __device__ functions for both). Loops go over work items in
// order, like a grid of one thread.
#pragma once

#include "lowbit_cast.cuh"
#include "lowbit_philox.cuh"

// Format parameters, for the test that the id table matches io.lowbit.ElementFormat:
// {bits, mantissa bits, bias, signed, largest finite magnitude code}.
static void lb_host_format_info(int f, int* out) {
    out[0] = lb_fmt_bits(f);
    out[1] = lb_fmt_mbits(f);
    out[2] = lb_fmt_bias(f);
    out[3] = lb_fmt_signed(f) ? 1 : 0;
    out[4] = (int) lb_max_magnitude_code(f);
}

// codes[i] = lb_encode(f, x[i], scaleExp[i], saturate, stochastic, words[i]): the element
// encoder alone, with explicit scale exponents and random words.
static void lb_host_encode_scaled(int f, const float* x, const int* scaleExp, const int* words, int* codes,
                                  int n, int saturate, int stochastic) {
    for (int i = 0; i < n; i++) {
        codes[i] = (int) lb_encode(f, x[i], scaleExp[i], saturate != 0, stochastic != 0, (uint32_t) words[i]);
    }
}

static void lb_host_decode_codes(int f, const int* codes, float* values, int n) {
    for (int i = 0; i < n; i++) values[i] = lb_decode(f, (uint32_t) codes[i]);
}

// The kernels' bodies, over all work items.
static void lb_host_encode_u8(int f, const float* x, signed char* codes, long long n, int saturate, int stochastic,
                              long long seed, long long offset, int stream) {
    lb_cast_options o = lb_make_cast_options(saturate, stochastic, seed, offset, stream);
    for (long long g = 0; g < lb_groups(n); g++) lb_encode_group<uint8_t>(f, o, x, (uint8_t*) codes, n, g);
}

static void lb_host_encode_u16(int f, const float* x, short* codes, long long n, int saturate, int stochastic,
                               long long seed, long long offset, int stream) {
    lb_cast_options o = lb_make_cast_options(saturate, stochastic, seed, offset, stream);
    for (long long g = 0; g < lb_groups(n); g++) lb_encode_group<uint16_t>(f, o, x, (uint16_t*) codes, n, g);
}

static void lb_host_decode_u8(int f, const signed char* codes, float* values, long long n) {
    for (long long g = 0; g < lb_groups(n); g++) lb_decode_group<uint8_t>(f, (const uint8_t*) codes, values, n, g);
}

static void lb_host_decode_u16(int f, const short* codes, float* values, long long n) {
    for (long long g = 0; g < lb_groups(n); g++) lb_decode_group<uint16_t>(f, (const uint16_t*) codes, values, n, g);
}

static void lb_host_encode_packed_e2m1(const float* x, signed char* packed, long long n, int saturate,
                                       int stochastic, long long seed, long long offset, int stream) {
    lb_cast_options o = lb_make_cast_options(saturate, stochastic, seed, offset, stream);
    for (long long g = 0; g < lb_groups(n); g++) lb_encode_packed_e2m1_group(o, x, (uint8_t*) packed, n, g);
}

static void lb_host_random_words(long long seed, long long offset, int stream, int* words, long long count) {
    lb_random r = lb_make_random(1, seed, offset, stream);
    for (long long g = 0; g < lb_groups(count); g++) lb_words_group(r, (uint32_t*) words, count, g);
}

static void lb_host_philox(const int* key, const int* counter, int* out, long long m) {
    for (long long j = 0; j < m; j++) {
        lb_philox_block_item((const uint32_t*) key, (const uint32_t*) counter, (uint32_t*) out, j);
    }
}

// ---- MX (lowbit_mx.cuh): all blocks in order; codes/dequantized/clipMask may be null ----
#include "lowbit_mx_kernels.cuh"

static long long lb_host_mx_quantize(int elem, int blockSize, int axis, int mode, int stochastic, long long seed,
                                     long long offset, int stream, const float* x, int rows, int cols,
                                     signed char* scales, signed char* codes, float* dequantized, signed char* clipMask) {
    lb_mx_job j = lb_make_mx_job(elem, blockSize, axis, mode, stochastic, seed, offset, stream, x, rows, cols,
                                 (uint8_t*) scales, (uint8_t*) codes, dequantized, (uint8_t*) clipMask);
    long long saturated = 0;
    for (long long t = 0; t < lb_mx_block_count(j); t++) saturated += lb_mx_block(j, t);
    return saturated;
}

static void lb_host_mx_dequantize(int elem, int blockSize, int axis, const signed char* scales, const signed char* codes,
                                  int rows, int cols, float* out) {
    for (long long i = 0; i < (long long) rows * cols; i++) {
        lb_mx_dequantize_element(elem, blockSize, axis, (const uint8_t*) scales, (const uint8_t*) codes, rows, cols, out, i);
    }
}
