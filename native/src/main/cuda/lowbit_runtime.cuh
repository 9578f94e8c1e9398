// Device discovery and memory for io.lowbit.cuda (our own minimal binding: the CUDA runtime is
// linked statically, so this library loads on a machine without a driver and every call below
// then returns an error code instead of failing to link).
#pragma once

#include "lowbit_common.cuh"

static int lb_device_count(int* count) {
    *count = 0;
    return (int) cudaGetDeviceCount(count);
}

static int lb_driver_version(int* version) {
    *version = 0;
    return (int) cudaDriverGetVersion(version);
}

static int lb_runtime_version(int* version) {
    *version = 0;
    return (int) cudaRuntimeGetVersion(version);
}

// info = {major, minor, multiProcessorCount}; memory = {total global memory in bytes};
// name: NUL-terminated, at most capacity bytes.
static int lb_device_info(int device, int* info, long long* memory, char* name, int capacity) {
    cudaDeviceProp p;
    LB_TRY(cudaGetDeviceProperties(&p, device));
    info[0] = p.major;
    info[1] = p.minor;
    info[2] = p.multiProcessorCount;
    memory[0] = (long long) p.totalGlobalMem;
    if (capacity > 0) {
        std::strncpy(name, p.name, (size_t) capacity - 1);
        name[capacity - 1] = '\0';
    }
    return 0;
}

static int lb_set_device(int device) { return (int) cudaSetDevice(device); }

static const char* lb_error_name(int error) { return cudaGetErrorName((cudaError_t) error); }

static const char* lb_error_string(int error) { return cudaGetErrorString((cudaError_t) error); }

static int lb_malloc(long long bytes, long long* address) {
    void* p = nullptr;
    *address = 0;
    LB_TRY(cudaMalloc(&p, (size_t) bytes));
    *address = (long long) (uintptr_t) p;
    return 0;
}

static int lb_free(long long address) { return (int) cudaFree(lb_dev<void>(address)); }

// Host memory is pageable (a Java array or a direct buffer), so the copies complete before
// returning: the Java side may release the array right after.
static int lb_copy_to_device(long long dst, const void* src, long long srcOffsetBytes, long long bytes,
                             long long cuStream) {
    if (bytes == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    LB_TRY(cudaMemcpyAsync(lb_dev<void>(dst), (const char*) src + srcOffsetBytes, (size_t) bytes,
                           cudaMemcpyHostToDevice, s));
    LB_TRY(cudaStreamSynchronize(s));
    return 0;
}

static int lb_copy_to_host(void* dst, long long dstOffsetBytes, long long src, long long bytes, long long cuStream) {
    if (bytes == 0) return 0;
    cudaStream_t s = lb_stream(cuStream);
    LB_TRY(cudaMemcpyAsync((char*) dst + dstOffsetBytes, lb_dev<const void>(src), (size_t) bytes,
                           cudaMemcpyDeviceToHost, s));
    LB_TRY(cudaStreamSynchronize(s));
    return 0;
}

// Same, host side given as an address (a direct NIO buffer's).
static int lb_copy_to_device_address(long long dst, long long srcHost, long long bytes, long long cuStream) {
    return lb_copy_to_device(dst, (const void*) (uintptr_t) srcHost, 0, bytes, cuStream);
}

static int lb_copy_to_host_address(long long dstHost, long long src, long long bytes, long long cuStream) {
    return lb_copy_to_host((void*) (uintptr_t) dstHost, 0, src, bytes, cuStream);
}
