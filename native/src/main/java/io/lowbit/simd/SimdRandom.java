package io.lowbit.simd;

import io.lowbit.RandomStream;
import io.lowbit.backend.RandomKernels;

/**
 * Contract 3's random words from the AVX2 Philox of {@code lowbit_cpu_mx.h} (eight counters at
 * a time, split over threads); the raw {@link #philox} blocks stay with the Java kernels.
 */
final class SimdRandom implements RandomKernels {
    /** Below this many words one thread fills them all. */
    private static final long PARALLEL_MIN = 1 << 16;

    private final RandomKernels fallback;

    SimdRandom(RandomKernels fallback) { this.fallback = fallback; }

    @Override
    public void words(RandomStream stream, int[] words, int count) {
        // parts start on multiples of 32 words: whole Philox batches
        long batches = (count + 31) / 32;
        boolean done = SimdThreads.runRanges(batches, 32, PARALLEL_MIN, (p, from, to) -> {
            long first = 32 * from, last = Math.min(count, 32 * to);
            return last <= first || LowbitSimd.lb_cpu_philox_words(stream.seed(), stream.offset(), stream.stream(),
                    first, (int) (last - first), words, (int) first) == 0;
        });
        if (!done) fallback.words(stream, words, count);
    }

    @Override
    public void philox(int[] key, int[] counter, int[] out, int m) {
        fallback.philox(key, counter, out, m);
    }
}
