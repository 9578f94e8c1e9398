package io.lowbit.simd;

import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.scalar.ScalarHadamard;

/**
 * Hadamard transforms (contract 6) by the AVX2 kernel of {@code lowbit_cpu_hadamard.h}, the
 * blocks split over threads. The kernel declines only on a CPU without AVX2/FMA, where
 * {@link SimdBackendProvider} never creates this backend.
 */
final class SimdHadamard implements HadamardKernels {
    /** Below this many floats one thread does the whole transform (thread hand-off costs more). */
    private static final long PARALLEL_MIN = 1 << 16;

    @Override
    public void transform(float[] x, float[] y, int rows, int cols, int n,
                          boolean normalize, boolean inverse, float[] signs) {
        long blocks = (long) rows * cols / n;
        float scale = ScalarHadamard.scale(n, normalize, inverse);
        int applyScale = scale != 1f ? 1 : 0;
        boolean done = SimdThreads.runRanges(blocks, n, PARALLEL_MIN, (p, from, to) ->
                LowbitSimd.lb_cpu_hadamard_copy(x, y, from * n, to - from, n, applyScale, scale, signs,
                        inverse ? 1 : 0) == 0);
        if (!done) throw new IllegalStateException("the AVX2 Hadamard kernel declined: this CPU lacks AVX2 or FMA");
    }
}
