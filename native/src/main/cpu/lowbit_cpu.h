/* lowbit CPU SIMD kernels: the one translation unit JavaCPP compiles (with g++) into
 * libjnilowbitsimd.so. Built without -mavx2: each SIMD function carries
 * __attribute__((target("avx2,fma"))) (or "avx512f" too) and runs only after the CPU check of
 * lowbit_cpu_features.h said yes, so the library loads on any x86-64 and declines (returns 1)
 * where AVX2/FMA are missing.
 * Every kernel computes the bits of the scalar Java reference (docs/numerics-contract.md);
 * the flags forbid FMA contraction (-ffp-contract=off). */
#ifndef LOWBIT_CPU_H
#define LOWBIT_CPU_H

#include <string.h>

#include "lowbit_cpu_hadamard.h"
#include "lowbit_cpu_mx.h"

static inline int lb_cpu_simd_supported(void) { return lb_cpu_detected_level() >= LB_CPU_LEVEL_AVX2; }

/* The LB_CPU_LEVEL_* the kernels use now: the CPU's, or less after lb_cpu_set_simd_level. */
static inline int lb_cpu_simd_level(void) { return lb_cpu_level(); }

/* Contract 6 on blocks [offset/n, offset/n + blocks) of src, written to dst (which may be src).
 * Out of place, each chunk is copied and then transformed while it is still in cache, so the
 * transform is still one pass over memory. */
static inline int lb_cpu_hadamard_copy(const float* src, float* dst, long long offset, long long blocks,
                                       int n, int apply_scale, float scale, const float* signs, int inverse) {
    if (!lb_cpu_has_avx2_fma()) return 1;   /* before the copy: a decline writes nothing */
    if (src == dst) return lb_cpu_hadamard(dst, offset, blocks, n, apply_scale, scale, signs, inverse);
    long long per_chunk = n >= 4096 ? 1 : 4096 / n;   /* at least 16 KiB a chunk */
    for (long long b = 0; b < blocks; b += per_chunk) {
        long long count = blocks - b < per_chunk ? blocks - b : per_chunk;
        long long at = offset + b * n;
        memcpy(dst + at, src + at, (size_t) (count * n) * sizeof(float));
        int rc = lb_cpu_hadamard(dst, at, count, n, apply_scale, scale, signs, inverse);
        if (rc != 0) return rc;
    }
    return 0;
}

#endif
