// MX kernels (contract 4) and their launchers; host twins in lowbit_host_checks.cuh.
#pragma once

#include "lowbit_mx.cuh"

static inline lb_mx_job lb_make_mx_job(int elem, int blockSize, int axis, int mode, int stochastic, long long seed,
                                       long long offset, int stream, const float* x, long long rows, long long cols,
                                       uint8_t* scales, uint8_t* codes, float* dequantized, uint8_t* clipMask) {
    lb_mx_job j;
    j.elem = elem;
    j.blockSize = blockSize;
    j.axis = axis;
    j.mode = mode;
    j.random = lb_make_random(stochastic, seed, offset, stream);
    j.x = x;
    j.rows = rows;
    j.cols = cols;
    j.scales = scales;
    j.codes = codes;
    j.dequantized = dequantized;
    j.clipMask = clipMask;
    return j;
}

// One thread per block (grid-stride); each thread adds its saturated count once.
__global__ void lb_mx_quantize_kernel(lb_mx_job j, unsigned long long* saturated) {
    unsigned long long mine = 0;
    LB_GRID_STRIDE_LOOP(t, lb_mx_block_count(j)) mine += (unsigned long long) lb_mx_block(j, t);
    if (mine != 0) atomicAdd(saturated, mine);
}

__global__ void lb_mx_dequantize_kernel(int elem, int blockSize, int axis, const uint8_t* __restrict__ scales,
                                        const uint8_t* __restrict__ codes, long long rows, long long cols,
                                        float* __restrict__ out) {
    LB_GRID_STRIDE_LOOP(i, rows * cols) lb_mx_dequantize_element(elem, blockSize, axis, scales, codes, rows, cols, out, i);
}

// codes, dequantized, clipMask may be 0 (not wanted). saturatedOut: host, receives the count.
static int lb_launch_mx_quantize(int elem, int blockSize, int axis, int mode, int stochastic, long long seed,
                                 long long offset, int stream, long long x, long long rows, long long cols,
                                 long long scales, long long codes, long long dequantized, long long clipMask,
                                 long long* saturatedOut, long long cuStream) {
    *saturatedOut = 0;
    lb_mx_job j = lb_make_mx_job(elem, blockSize, axis, mode, stochastic, seed, offset, stream, lb_dev<const float>(x),
                                 rows, cols, lb_dev<uint8_t>(scales), lb_dev<uint8_t>(codes), lb_dev<float>(dequantized),
                                 lb_dev<uint8_t>(clipMask));
    long long blocks = lb_mx_block_count(j);
    if (blocks == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    unsigned long long* counter = nullptr;
    LB_TRY(cudaMalloc(&counter, sizeof *counter));
    int err = (int) cudaMemsetAsync(counter, 0, sizeof *counter, s);
    if (err == 0) {
        lb_before_launch();
        lb_mx_quantize_kernel<<<lb_blocks(blocks), LB_THREADS, 0, s>>>(j, counter);
        err = lb_after_launch(s);
    }
    unsigned long long host = 0;
    if (err == 0) err = (int) cudaMemcpy(&host, counter, sizeof host, cudaMemcpyDeviceToHost);
    cudaFree(counter);
    *saturatedOut = (long long) host;
    return err;
}

static int lb_launch_mx_dequantize(int elem, int blockSize, int axis, long long scales, long long codes,
                                   long long rows, long long cols, long long out, long long cuStream) {
    if (rows * cols == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    lb_before_launch();
    lb_mx_dequantize_kernel<<<lb_blocks(rows * cols), LB_THREADS, 0, s>>>(
            elem, blockSize, axis, lb_dev<const uint8_t>(scales), lb_dev<const uint8_t>(codes), rows, cols,
            lb_dev<float>(out));
    return lb_after_launch(s);
}
