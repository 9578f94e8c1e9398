// Host entry points running the scaled-quantization bodies (lowbit_scaled.cuh) on the CPU:
// the amax over all elements, then every block in order, as a grid of one thread would.
#pragma once

#include "lowbit_scaled_kernels.cuh"

template <typename In>
static long long lb_host_scaled_quantize(int scaleFormat, int tile16x16, int stochastic, long long seed, long long offset,
                                         int stream, const In* x, int rows, int cols, signed char* scales,
                                         signed char* codes, float* dequantized, signed char* clipMask, float* decTOut) {
    lb_scaled_job<In> j = lb_make_scaled_job<In>(scaleFormat, tile16x16, stochastic, seed, offset, stream, x, rows, cols,
                                                 (uint8_t*) scales, (uint8_t*) codes, dequantized, (uint8_t*) clipMask);
    uint32_t amaxBits = 0;
    for (long long i = 0; i < (long long) rows * cols; i++) amaxBits = lb_scaled_amax_step(amaxBits, x, i);
    float encT = 0.0f, decT = 0.0f;
    bool finite = lb_scaled_tensor_scales(scaleFormat, amaxBits, &encT, &decT);
    *decTOut = finite ? decT : lb_bits_float(LB_FLOAT_NAN_BITS);
    long long saturated = 0;
    for (long long t = 0; t < lb_scaled_block_count(j); t++) saturated += lb_scaled_block(j, finite, encT, decT, t);
    return saturated;
}

static long long lb_host_scaled_quantize_f32(int scaleFormat, int tile16x16, int stochastic, long long seed,
                                             long long offset, int stream, const float* x, int rows, int cols,
                                             signed char* scales, signed char* codes, float* dequantized,
                                             signed char* clipMask, float* decT) {
    return lb_host_scaled_quantize<float>(scaleFormat, tile16x16, stochastic, seed, offset, stream, x, rows, cols,
                                          scales, codes, dequantized, clipMask, decT);
}

static long long lb_host_scaled_quantize_bf16(int scaleFormat, int tile16x16, int stochastic, long long seed,
                                              long long offset, int stream, const short* x, int rows, int cols,
                                              signed char* scales, signed char* codes, float* dequantized,
                                              signed char* clipMask, float* decT) {
    return lb_host_scaled_quantize<uint16_t>(scaleFormat, tile16x16, stochastic, seed, offset, stream,
                                             (const uint16_t*) x, rows, cols, scales, codes, dequantized, clipMask, decT);
}

static void lb_host_scaled_dequantize(int scaleFormat, float decT, const signed char* scales, const signed char* codes,
                                      int rows, int cols, float* out) {
    for (long long i = 0; i < (long long) rows * cols; i++) {
        lb_scaled_dequantize_element(scaleFormat, decT, (const uint8_t*) scales, (const uint8_t*) codes, cols, out, i);
    }
}
