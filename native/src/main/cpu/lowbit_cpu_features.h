/* The CPU checks of the SIMD kernels, asked once and cached. The library is built without
 * -mavx2, so no kernel may run before its check said yes. lb_cpu_set_simd_level caps the level
 * the kernels use (a test runs every path on a CPU that has them all). */
#ifndef LOWBIT_CPU_FEATURES_H
#define LOWBIT_CPU_FEATURES_H

enum { LB_CPU_LEVEL_NONE = 0, LB_CPU_LEVEL_AVX2 = 1, LB_CPU_LEVEL_AVX512 = 2 };

/* What this CPU (and its OS, which must save the wider registers) has: a LB_CPU_LEVEL_*. */
static inline int lb_cpu_detected_level(void) {
    static int cached = -1; /* -1 unknown; a benign race: every thread stores the same */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = LB_CPU_LEVEL_NONE;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            v = LB_CPU_LEVEL_AVX2;
            /* libgcc's check includes the OS's XCR0 bits for the zmm state */
            if (__builtin_cpu_supports("avx512f")) v = LB_CPU_LEVEL_AVX512;
        }
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

static int lb_cpu_level_cap = LB_CPU_LEVEL_AVX512;

/* The level the kernels use: what the CPU has, capped by lb_cpu_set_simd_level. */
static inline int lb_cpu_level(void) {
    int cap = __atomic_load_n(&lb_cpu_level_cap, __ATOMIC_RELAXED);
    int d = lb_cpu_detected_level();
    return cap < d ? cap : d;
}

/* Caps the level the kernels use at level; returns the level now in use. */
static inline int lb_cpu_set_simd_level(int level) {
    __atomic_store_n(&lb_cpu_level_cap, level, __ATOMIC_RELAXED);
    return lb_cpu_level();
}

/* AVX2 and FMA: what every kernel needs (the capped level, so a cap of 0 declines them all). */
static inline int lb_cpu_has_avx2_fma(void) { return lb_cpu_level() >= LB_CPU_LEVEL_AVX2; }

#endif
