package io.lowbit.bench;

import io.lowbit.Blockwise;
import io.lowbit.Codebook;
import io.lowbit.backend.Backends;
import io.lowbit.optim.AdamW;
import io.lowbit.optim.ParamGroup;
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
 * One AdamW step over 10^7 parameters with 32-bit vs 8-bit states, and blockwise quantization
 * of 2^26 floats with block 256 (dynamic-signed). Threads: all processors (-p threads=1 for one).
 * Run: java --add-modules jdk.incubator.vector -jar benchmarks/target/lowbit-benchmarks.jar OptimStepBench ...
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx3g"})
public class OptimStepBench {
    @Param({"2"})
    public int threads;

    private float[] p, g, x;
    private AdamW adam8, adam32;
    private Blockwise blockwise;

    @Setup(Level.Trial)
    public void setup() {
        int n = 10_000_000;
        SplittableRandom r = new SplittableRandom(1);
        p = new float[n];
        g = new float[n];
        for (int i = 0; i < n; i++) g[i] = (float) (r.nextGaussian() * 1e-3);
        adam8 = AdamW.builder().stateBits(8).build(ParamGroup.of(io.lowbit.optim.Param.f32("p8", p.clone())));
        adam32 = AdamW.builder().stateBits(32).build(ParamGroup.of(io.lowbit.optim.Param.f32("p32", p.clone())));
        adam8.threads(threads);
        adam32.threads(threads);
        x = new float[1 << 26];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        blockwise = Blockwise.on(Backends.get()).threads(threads);
    }

    @Benchmark
    public int adamw8Step10M() { return adam8.step(g); }

    @Benchmark
    public int adamw32Step10M() { return adam32.step(g); }

    @Benchmark
    public Blockwise.Quantized quantize2pow26Block256() { return blockwise.quantize(Codebook.DYNAMIC_SIGNED, x, 256); }

    private float[] intoAbsmax;
    private byte[] intoCodes;

    /** Blockwise.quantizeInto: the same kernel into reused arrays (no 64 MiB code array allocated and zeroed per call). */
    @Benchmark
    public byte[] quantizeInto2pow26Block256() {
        if (intoCodes == null) { intoCodes = new byte[x.length]; intoAbsmax = new float[Blockwise.blocks(x.length, 256)]; }
        blockwise.quantizeInto(Codebook.DYNAMIC_SIGNED, x, 256, intoAbsmax, intoCodes);
        return intoCodes;
    }
}
