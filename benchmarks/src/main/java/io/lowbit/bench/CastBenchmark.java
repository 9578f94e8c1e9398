package io.lowbit.bench;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;
import io.lowbit.backend.Backends;
import io.lowbit.backend.CastKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * float32 -> E4M3 / packed E2M1 / BF16 (RNE), scalar reference vs Vector API backend.
 * Throughput in calls per second; MB/s of input = ops/s x 4 x size / 1e6
 * (benchmarks/RESULTS-casts.md). Needs --add-modules jdk.incubator.vector (run-jmh.sh).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CastBenchmark {
    @Param({"1048576", "16777216"})
    public int size;

    @Param({"scalar", "vector"})
    public String backend;

    private CastKernels casts;
    private float[] x;
    private byte[] codes;
    private byte[] packed;
    private short[] wide;

    @Setup
    public void setUp() {
        casts = Backends.byName(backend).casts();
        x = new float[size];
        // activations-like: mostly within E4M3's range, some saturating
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < size; i++) x[i] = (float) (rnd.nextGaussian() * 64);
        codes = new byte[size];
        packed = new byte[(size + 1) / 2];
        wide = new short[size];
    }

    @Benchmark
    public byte[] e4m3Saturate() {
        casts.encode(ElementFormat.E4M3, CastOptions.RNE_SATURATE, x, codes, size);
        return codes;
    }

    @Benchmark
    public byte[] e4m3NonSaturating() {
        casts.encode(ElementFormat.E4M3, CastOptions.RNE, x, codes, size);
        return codes;
    }

    @Benchmark
    public byte[] e2m1Packed() {
        casts.encodePackedE2M1(CastOptions.RNE_SATURATE, x, packed, size);
        return packed;
    }

    @Benchmark
    public short[] bf16() {
        casts.encode16(ElementFormat.BF16, CastOptions.RNE, x, wide, size);
        return wide;
    }
}
