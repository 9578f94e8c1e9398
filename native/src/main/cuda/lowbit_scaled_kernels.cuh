// Scaled (NVFP4 / UE5M3) quantization kernels, contract 5, and their launchers; host twins in
// lowbit_scaled_host.cuh. Two launches: the tensor amax (an order-free max of |x| bits, one
// atomicMax per warp), then one thread per 1x16 block doing steps 2-6 (each thread derives
// encT/decT from the amax itself: the same bits everywhere, no host round trip).
#pragma once

#include "lowbit_scaled.cuh"

// Scratch in device memory for one quantization: the amax bits and the saturated count.
struct lb_scaled_scratch {
    unsigned int amaxBits;
    unsigned int pad;
    unsigned long long saturated;
};

template <typename In>
__global__ void lb_scaled_amax_kernel(const In* __restrict__ x, long long n, unsigned int* amaxBits) {
    uint32_t mine = 0;
    LB_GRID_STRIDE_LOOP(i, n) mine = lb_scaled_amax_step(mine, x, i);
    mine = __reduce_max_sync(0xFFFFFFFFu, mine);  // sm_80+; every lane reaches this line
    if ((threadIdx.x & 31) == 0 && mine != 0) atomicMax(amaxBits, mine);
}

template <typename In>
__global__ void lb_scaled_quantize_kernel(lb_scaled_job<In> j, lb_scaled_scratch* scratch, float* decTOut) {
    float encT = 0.0f, decT = 0.0f;
    bool finite = lb_scaled_tensor_scales(j.scaleFormat, scratch->amaxBits, &encT, &decT);
    if (blockIdx.x == 0 && threadIdx.x == 0) *decTOut = finite ? decT : lb_bits_float(LB_FLOAT_NAN_BITS);
    unsigned long long mine = 0;
    LB_GRID_STRIDE_LOOP(t, lb_scaled_block_count(j)) mine += (unsigned long long) lb_scaled_block(j, finite, encT, decT, t);
    if (mine != 0) atomicAdd(&scratch->saturated, mine);
}

__global__ void lb_scaled_dequantize_kernel(int scaleFormat, float decT, const uint8_t* __restrict__ scales,
                                            const uint8_t* __restrict__ codes, long long rows, long long cols,
                                            float* __restrict__ out) {
    LB_GRID_STRIDE_LOOP(i, rows * cols) lb_scaled_dequantize_element(scaleFormat, decT, scales, codes, cols, out, i);
}

template <typename In>
static int lb_launch_scaled_quantize(int scaleFormat, int tile16x16, int stochastic, long long seed, long long offset,
                                     int stream, long long x, long long rows, long long cols, long long scales,
                                     long long codes, long long dequantized, long long clipMask, long long decT,
                                     long long* saturatedOut, long long cuStream) {
    *saturatedOut = 0;
    lb_scaled_job<In> j = lb_make_scaled_job<In>(scaleFormat, tile16x16, stochastic, seed, offset, stream,
                                                 lb_dev<const In>(x), rows, cols, lb_dev<uint8_t>(scales),
                                                 lb_dev<uint8_t>(codes), lb_dev<float>(dequantized),
                                                 lb_dev<uint8_t>(clipMask));
    cudaStream_t s = lb_stream(cuStream);
    lb_scaled_scratch* scratch = nullptr;
    LB_TRY(cudaMalloc(&scratch, sizeof *scratch));
    int err = (int) cudaMemsetAsync(scratch, 0, sizeof *scratch, s);
    long long n = rows * cols;
    if (err == 0 && n > 0) {
        lb_before_launch();
        lb_scaled_amax_kernel<In><<<lb_blocks(n), LB_THREADS, 0, s>>>(j.x, n, &scratch->amaxBits);
        err = lb_after_launch(s);
    }
    if (err == 0) {  // also for an empty tensor: decT is still written (ScalarMx does)
        lb_before_launch();
        lb_scaled_quantize_kernel<In><<<lb_blocks(lb_scaled_block_count(j)), LB_THREADS, 0, s>>>(
                j, scratch, lb_dev<float>(decT));
        err = lb_after_launch(s);
    }
    unsigned long long host = 0;
    if (err == 0) err = (int) cudaMemcpy(&host, &scratch->saturated, sizeof host, cudaMemcpyDeviceToHost);
    cudaFree(scratch);
    *saturatedOut = (long long) host;
    return err;
}

// x: float32 (DeviceBuffer FLOAT) or BF16 codes (DeviceBuffer SHORT). decT: device float.
static int lb_launch_scaled_quantize_f32(int scaleFormat, int tile16x16, int stochastic, long long seed,
                                         long long offset, int stream, long long x, long long rows, long long cols,
                                         long long scales, long long codes, long long dequantized, long long clipMask,
                                         long long decT, long long* saturatedOut, long long cuStream) {
    return lb_launch_scaled_quantize<float>(scaleFormat, tile16x16, stochastic, seed, offset, stream, x, rows, cols,
                                            scales, codes, dequantized, clipMask, decT, saturatedOut, cuStream);
}

static int lb_launch_scaled_quantize_bf16(int scaleFormat, int tile16x16, int stochastic, long long seed,
                                          long long offset, int stream, long long x, long long rows, long long cols,
                                          long long scales, long long codes, long long dequantized, long long clipMask,
                                          long long decT, long long* saturatedOut, long long cuStream) {
    return lb_launch_scaled_quantize<uint16_t>(scaleFormat, tile16x16, stochastic, seed, offset, stream, x, rows, cols,
                                               scales, codes, dequantized, clipMask, decT, saturatedOut, cuStream);
}

static int lb_launch_scaled_dequantize(int scaleFormat, float decT, long long scales, long long codes, long long rows,
                                       long long cols, long long out, long long cuStream) {
    if (rows * cols == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_scaled_dequantize_kernel<<<lb_blocks(rows * cols), LB_THREADS, 0, s>>>(
            scaleFormat, decT, lb_dev<const uint8_t>(scales), lb_dev<const uint8_t>(codes), rows, cols,
            lb_dev<float>(out));
    return lb_after_launch(s);
}
