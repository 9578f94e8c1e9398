package io.lowbit.bench;

import io.lowbit.backend.Backends;
import io.lowbit.backend.QatKernels;
import io.lowbit.backend.scalar.ScalarQat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * LSQ fake quantization (contract 8), per-tensor 4-bit signed. Memory traffic per call
 * (float32): forward reads x, writes q = 8 bytes/element; backward reads x, g, writes dx =
 * 12 bytes/element (the ds terms stay in a cache-sized buffer); forward+backward = 20.
 * GB/s = ops/s x size x bytes/element / 1e9, to set against the copy bandwidth
 * (17.7 GB/s read+written on 2 threads, 14.5 on 1).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LsqBenchmark {
    @Param({"scalar", "vector"})
    public String backend;

    @Param({"4194304"})
    public int size;

    private QatKernels qat;
    private float[] x, g, q, dx;
    private final float[] scale = {0.1f}, ds = new float[1];
    private int qn, qp;

    @Setup
    public void setUp() {
        qat = Backends.byName(backend).qat();
        Random rnd = new Random(1);
        x = new float[size];
        g = new float[size];
        q = new float[size];
        dx = new float[size];
        for (int i = 0; i < size; i++) { x[i] = (float) rnd.nextGaussian(); g[i] = (float) rnd.nextGaussian(); }
        qn = ScalarQat.gridQn(4, true);
        qp = ScalarQat.gridQp(4, true);
    }

    @Benchmark
    public float[] forward() {
        qat.lsqForward(x, 1, size, size, scale, null, qn, qp, q);
        return q;
    }

    @Benchmark
    public float[] backward() {
        qat.lsqBackward(x, g, 1, size, size, scale, null, qn, qp, dx, ds, null);
        return dx;
    }

    @Benchmark
    public float[] forwardBackward() {
        qat.lsqForward(x, 1, size, size, scale, null, qn, qp, q);
        qat.lsqBackward(x, g, 1, size, size, scale, null, qn, qp, dx, ds, null);
        return dx;
    }
}
