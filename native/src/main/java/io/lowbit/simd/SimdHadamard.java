package io.lowbit.simd;

import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.scalar.ScalarHadamard;

/**
 * Hadamard transforms (contract 6) by the AVX2 kernel of {@code lowbit_cpu_hadamard.h}, the
 * blocks split over threads; any case the kernel declines goes to the Java kernels.
 */
final class SimdHadamard implements HadamardKernels {
    /** Below this many floats one thread does the whole transform (thread hand-off costs more). */
    private static final long PARALLEL_MIN = 1 << 16;

    private final HadamardKernels fallback;

    SimdHadamard(HadamardKernels fallback) { this.fallback = fallback; }

    @Override
    public void transform(float[] x, float[] y, int rows, int cols, int n,
                          boolean normalize, boolean inverse, float[] signs) {
        long blocks = (long) rows * cols / n;
        float scale = ScalarHadamard.scale(n, normalize, inverse);
        int applyScale = scale != 1f ? 1 : 0;
        int parts = SimdThreads.parts(blocks, n, PARALLEL_MIN);
        boolean done = SimdThreads.run(parts, p -> {
            long from = SimdThreads.start(blocks, parts, p);
            long to = SimdThreads.start(blocks, parts, p + 1);
            return LowbitSimd.lb_cpu_hadamard_copy(x, y, from * n, to - from, n, applyScale, scale, signs,
                    inverse ? 1 : 0) == 0;
        });
        if (!done) fallback.transform(x, y, rows, cols, n, normalize, inverse, signs);
    }
}
