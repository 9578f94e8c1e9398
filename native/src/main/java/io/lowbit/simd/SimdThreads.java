package io.lowbit.simd;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;

/**
 * Runs a kernel over parts of a tensor on {@code -Dlowbit.threads} threads (default: the
 * available processors), the calling thread included. Each part's result depends only on the
 * input, so the split never changes a bit.
 */
final class SimdThreads {
    private static final int THREADS =
            Math.max(1, Integer.getInteger("lowbit.threads", Runtime.getRuntime().availableProcessors()));
    private static final ExecutorService POOL = THREADS == 1 ? null
            : Executors.newFixedThreadPool(THREADS - 1, r -> {
                Thread t = new Thread(r, "lowbit-simd");
                t.setDaemon(true);
                return t;
            });

    private SimdThreads() {}

    /** How many parts to cut {@code units} units of {@code unitSize} elements into. */
    static int parts(long units, long unitSize, long parallelMin) {
        if (units * unitSize < parallelMin) return 1;
        return (int) Math.min(THREADS, units);
    }

    /**
     * Runs {@code part} for 0..parts-1, the first on the calling thread; returns true when every
     * part returned true (a false means that part's kernel declined).
     */
    private static boolean run(int parts, IntPredicate part) {
        if (parts <= 1) return part.test(0);
        @SuppressWarnings("unchecked")
        Future<Boolean>[] rest = new Future[parts - 1];
        for (int p = 1; p < parts; p++) {
            int index = p;
            rest[p - 1] = POOL.submit(() -> part.test(index));
        }
        boolean ok = part.test(0);
        for (Future<Boolean> f : rest) {
            try {
                ok &= f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a lowbit kernel ran", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a lowbit kernel failed", e.getCause());
            }
        }
        return ok;
    }

    /** A kernel on units [from, to) of part {@code part}; false when it declined. */
    @FunctionalInterface
    interface RangeTask {
        boolean run(int part, long from, long to);
    }

    /**
     * Cuts [0, units) into {@link #parts} near-equal ranges and runs {@code task} on each, as
     * {@link #run}; returns true when every range's kernel ran.
     */
    static boolean runRanges(long units, long unitSize, long parallelMin, RangeTask task) {
        int parts = parts(units, unitSize, parallelMin);
        return run(parts, p -> task.run(p, start(units, parts, p), start(units, parts, p + 1)));
    }

    /** Start of part p of [0, units) cut into parts near-equal ranges. */
    private static long start(long units, int parts, int p) {
        return units * p / parts;
    }
}
