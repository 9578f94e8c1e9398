/* The one CPU check of the SIMD kernels: AVX2 and FMA, asked once and cached. The library is
 * built without -mavx2, so no kernel may run before this said yes. */
#ifndef LOWBIT_CPU_FEATURES_H
#define LOWBIT_CPU_FEATURES_H

static inline int lb_cpu_has_avx2_fma(void) {
    static int cached = -1; /* -1 unknown, 0 no, 1 yes; a benign race: every thread stores the same */
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        __builtin_cpu_init();
        v = (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1 : 0;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}

#endif
