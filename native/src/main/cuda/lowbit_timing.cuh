// CUDA events for timing on the device, and a device-to-device copy (the reference for a
// kernel's bandwidth). Events are passed to Java as addresses (cudaEvent_t is a pointer).
// Every function returns a cudaError_t (0 = success); nothing here synchronizes except
// lb_event_synchronize and lb_stream_synchronize, so a timed region holds only what the
// caller put in it.
#pragma once

#include "lowbit_common.cuh"

static inline cudaEvent_t lb_event(long long e) { return (cudaEvent_t) (uintptr_t) e; }

static int lb_event_create(long long* event) {
    cudaEvent_t e = nullptr;
    *event = 0;
    LB_TRY(cudaEventCreate(&e));   // default flags: timing enabled
    *event = (long long) (uintptr_t) e;
    return 0;
}

static int lb_event_record(long long event, long long cuStream) {
    return (int) cudaEventRecord(lb_event(event), lb_stream(cuStream));
}

static int lb_event_synchronize(long long event) { return (int) cudaEventSynchronize(lb_event(event)); }

// Milliseconds between two recorded, completed events (resolution about 0.5 us).
static int lb_event_elapsed_ms(float* ms, long long start, long long stop) {
    *ms = 0.0f;
    return (int) cudaEventElapsedTime(ms, lb_event(start), lb_event(stop));
}

static int lb_event_destroy(long long event) { return (int) cudaEventDestroy(lb_event(event)); }

static int lb_stream_synchronize(long long cuStream) { return (int) cudaStreamSynchronize(lb_stream(cuStream)); }

// Asynchronous device-to-device copy on cuStream (not synchronized: time it with events).
static int lb_copy_device_to_device(long long dst, long long src, long long bytes, long long cuStream) {
    if (bytes == 0) return 0;
    return (int) cudaMemcpyAsync(lb_dev<void>(dst), lb_dev<const void>(src), (size_t) bytes,
                                 cudaMemcpyDeviceToDevice, lb_stream(cuStream));
}

// Free and total device memory in bytes ({free, total}).
static int lb_mem_info(long long* freeAndTotal) {
    size_t f = 0, t = 0;
    freeAndTotal[0] = 0;
    freeAndTotal[1] = 0;
    LB_TRY(cudaMemGetInfo(&f, &t));
    freeAndTotal[0] = (long long) f;
    freeAndTotal[1] = (long long) t;
    return 0;
}
