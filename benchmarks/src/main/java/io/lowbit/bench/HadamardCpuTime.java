package io.lowbit.bench;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.scalar.ScalarHadamard;
import io.lowbit.backend.vector.VectorHadamard;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Companion to {@link HadamardBenchmark} for a shared, loaded machine: the same in-place
 * transforms over 2^24 floats (argument 0 to change), timed in this thread's CPU time (best of
 * 6), so that time slices given to other processes do not count. Prints microseconds per
 * transform for the vector kernel (one thread), the scalar reference, and a copy of n floats.
 *
 * <pre>
 * java -Xmx1g --add-modules jdk.incubator.vector -cp 'benchmarks/target/lowbit-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*' \
 *     io.lowbit.bench.HadamardCpuTime
 * </pre>
 */
public final class HadamardCpuTime {
    public static void main(String[] args) {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 24;
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        float[] source = new float[total], data = new float[total];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < total; i++) source[i] = (float) r.nextGaussian();
        VectorHadamard vector = new VectorHadamard(Integer.MAX_VALUE, 1);
        ScalarHadamard scalar = new ScalarHadamard();
        // the simd backend's C++ AVX2 kernel, where it runs here (one thread: run with -Dlowbit.threads=1)
        HadamardKernels simd = Backends.available().stream().filter(b -> b.name().equals("simd"))
                .map(Backend::hadamard).findFirst().orElse(null);
        for (int n = 1 << 10; n <= 1 << 15; n <<= 1) {
            long bestVector = Long.MAX_VALUE, bestScalar = Long.MAX_VALUE, bestCopy = Long.MAX_VALUE;
            long bestSimd = Long.MAX_VALUE;
            for (int it = 0; it < 6; it++) {
                System.arraycopy(source, 0, data, 0, total);
                long t0 = clock.getCurrentThreadCpuTime();
                vector.transform(data, data, 1, total, n, false, false, null);
                bestVector = Math.min(bestVector, clock.getCurrentThreadCpuTime() - t0);
                if (simd != null) {
                    System.arraycopy(source, 0, data, 0, total);
                    t0 = clock.getCurrentThreadCpuTime();
                    simd.transform(data, data, 1, total, n, false, false, null);
                    bestSimd = Math.min(bestSimd, clock.getCurrentThreadCpuTime() - t0);
                }
                if (it < 2) {
                    System.arraycopy(source, 0, data, 0, total);
                    t0 = clock.getCurrentThreadCpuTime();
                    scalar.transform(data, data, 1, total, n, false, false, null);
                    bestScalar = Math.min(bestScalar, clock.getCurrentThreadCpuTime() - t0);
                }
                t0 = clock.getCurrentThreadCpuTime();
                System.arraycopy(source, 0, data, 0, total);
                bestCopy = Math.min(bestCopy, clock.getCurrentThreadCpuTime() - t0);
            }
            double per = (double) total / n * 1e3;
            System.out.printf("n=%5d  vector %8.2f us  simd (C++ AVX2) %8s us  scalar %8.2f us  copy of n floats %6.2f us  (per transform)%n",
                    n, bestVector / per, simd == null ? "n/a" : String.format("%.2f", bestSimd / per),
                    bestScalar / per, bestCopy / per);
        }
    }
}
