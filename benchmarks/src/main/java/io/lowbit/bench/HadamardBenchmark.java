package io.lowbit.bench;

import io.lowbit.backend.Backends;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.scalar.ScalarHadamard;
import io.lowbit.backend.vector.VectorHadamard;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hadamard transform, unnormalized, in place over 2^24 floats (64 MiB, as the FFHT reference
 * figures were taken): the score is the time for all 2^24/n transforms. copyBound is the
 * memory bound: 2^24 floats read and written once (128 MiB).
 *
 * <pre>
 * mvn -B -ntp -o -q -pl benchmarks -am package -DskipTests
 * java --add-modules jdk.incubator.vector -cp 'benchmarks/target/lowbit-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*' \
 *     org.openjdk.jmh.Main HadamardBenchmark -f 1 -wi 2 -i 3 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class HadamardBenchmark {
    /** Floats per call: 2^24 for the FFHT comparison; e.g. 2^16 (in L2) shows the compute speed alone. */
    @Param({"16777216"})
    int total;

    @Param({"1024", "2048", "4096", "8192", "16384", "32768"})
    int n;

    float[] source;
    float[] data;
    final HadamardKernels oneThread = new VectorHadamard(Integer.MAX_VALUE, 1);
    final HadamardKernels twoThreads = new VectorHadamard(1, 2);
    final HadamardKernels scalar = new ScalarHadamard();

    @Setup(Level.Trial)
    public void setup() {
        source = new float[total];
        data = new float[total];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < total; i++) source[i] = (float) r.nextGaussian();
    }

    /**
     * Fresh input for every call (not timed; a call takes milliseconds, so Level.Invocation is
     * sound here): unnormalized transforms repeated in place would overflow, and subnormal or
     * non-finite values could change the speed.
     */
    @Setup(Level.Invocation)
    public void refresh() {
        System.arraycopy(source, 0, data, 0, total);
    }

    /** Time for all 2^24/n transforms, one thread; divide by 2^24/n for the time per transform. */
    @Benchmark
    public float[] allBlocksOneThread() {
        oneThread.transform(data, data, 1, total, n, false, false, null);
        return data;
    }

    /** The same split over two threads by whole blocks. */
    @Benchmark
    public float[] allBlocksTwoThreads() {
        twoThreads.transform(data, data, 1, total, n, false, false, null);
        return data;
    }

    /**
     * The simd backend's C++ AVX2 kernel (lowbit-native) on -Dlowbit.threads threads (default:
     * every processor, 2 here); fails where that backend cannot run.
     */
    @Benchmark
    public float[] allBlocksSimd() {
        Backends.byName("simd").hadamard().transform(data, data, 1, total, n, false, false, null);
        return data;
    }

    /** The scalar reference, one thread, for scale. */
    @Benchmark
    public float[] allBlocksScalar() {
        scalar.transform(data, data, 1, total, n, false, false, null);
        return data;
    }

    /** The copy bound: read and write 2^24 floats once. */
    @Benchmark
    public float[] copyBound() {
        System.arraycopy(source, 0, data, 0, total);
        return data;
    }
}
