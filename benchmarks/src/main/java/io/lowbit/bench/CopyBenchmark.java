package io.lowbit.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The machine's copy bandwidth measured like {@link CastBenchmark}: the same float32 input
 * sizes, copied with System.arraycopy and with a plain loop. MB/s of input = ops/s x 4 x size / 1e6
 * (bytes read; read + written is twice that).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CopyBenchmark {
    @Param({"1048576", "16777216"})
    public int size;

    private float[] src;
    private float[] dst;

    @Setup
    public void setUp() {
        src = new float[size];
        dst = new float[size];
        for (int i = 0; i < size; i++) src[i] = i * 0.5f;
    }

    @Benchmark
    public float[] arraycopy() {
        System.arraycopy(src, 0, dst, 0, size);
        return dst;
    }

    @Benchmark
    public float[] loop() {
        float[] s = src, d = dst;
        for (int i = 0; i < s.length; i++) d[i] = s[i];
        return d;
    }
}
