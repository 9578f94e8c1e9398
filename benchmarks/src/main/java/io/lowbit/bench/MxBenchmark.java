package io.lowbit.bench;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.CastKernels;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.MxKernels;
import io.lowbit.backend.QatKernels;
import io.lowbit.backend.RandomKernels;
import io.lowbit.backend.vector.VectorMx;
import io.lowbit.mx.MxPacking;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.ScaleMode;
import io.lowbit.mx.Tile;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * MXFP4 and NVFP4 quantization of 64 MiB of float32 ([4096, 4096]) on the vectorized CPU
 * kernels with 1 and 2 threads. "Kernel": scales + one code byte per element (quantizeMx /
 * quantizeScaled, as fake quantization uses them); "KernelThenPack": that plus MxPacking.pack
 * (the user path before the packed kernels); "Packed": the packed kernels (scales + two codes
 * per byte) into preallocated arrays; "Quantize": {@code Quantizer.quantize} itself (what a
 * user gets: new scale and packed-code arrays in a QuantizedTensor) on a backend whose MX
 * kernels are this VectorMx.
 * Convert the time to MB/s of input read.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/lowbit-benchmarks.jar:benchmarks/target/lib/*
 * org.openjdk.jmh.Main MxBenchmark -f 1 -wi 2 -i 3 -r 1s}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class MxBenchmark {
    static final int ROWS = 4096;
    static final int COLS = 4096;

    @Param({"1", "2"})
    public int threads;

    float[] x;
    byte[] codes;
    byte[] packed;
    byte[] scales;
    float[] tensorScale = new float[1];
    VectorMx kernels;
    Quantizer mxfp4;
    Quantizer nvfp4;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(1);
        x = new float[ROWS * COLS];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        codes = new byte[x.length];
        packed = new byte[x.length / 2];
        scales = new byte[x.length / 16];
        kernels = new VectorMx(threads, 1 << 16);
        Backend backend = withMx(kernels);
        mxfp4 = Quantizer.mxfp4().backend(backend);
        nvfp4 = Quantizer.nvfp4().backend(backend);
    }

    /** The default backend with its MX kernels replaced (to set the thread count). */
    static Backend withMx(MxKernels mx) {
        Backend base = Backends.get();
        return new Backend() {
            @Override public String name() { return base.name(); }
            @Override public String description() { return base.description(); }
            @Override public CastKernels casts() { return base.casts(); }
            @Override public RandomKernels random() { return base.random(); }
            @Override public MxKernels mx() { return mx; }
            @Override public HadamardKernels hadamard() { return base.hadamard(); }
            @Override public BlockwiseKernels blockwise() { return base.blockwise(); }
            @Override public QatKernels qat() { return base.qat(); }
        };
    }

    float[] copy;

    /** One-thread copy of the same 64 MiB: the memory bandwidth available during this run. */
    @Benchmark
    public float[] copyBaseline() {
        if (copy == null) copy = new float[x.length];
        System.arraycopy(x, 0, copy, 0, x.length);
        return copy;
    }

    /** The same copy on two threads, a half each: the two-thread copy bandwidth of this machine. */
    @Benchmark
    public float[] copyTwoThreads() {
        if (copy == null) copy = new float[x.length];
        int half = x.length / 2;
        java.util.stream.IntStream.range(0, 2).parallel()
                .forEach(p -> System.arraycopy(x, p * half, copy, p * half, p == 0 ? half : x.length - half));
        return copy;
    }

    @Benchmark
    public byte[] mxfp4Kernel() {
        kernels.quantizeMx(ElementFormat.E2M1, 32, -1, ScaleMode.FLOOR, null, x, ROWS, COLS, scales, codes, null, null);
        return codes;
    }

    /** Scales and packed codes into preallocated arrays (Quantizer.quantize minus its allocations). */
    @Benchmark
    public byte[] mxfp4Packed() {
        kernels.quantizeMxfp4Packed(32, -1, ScaleMode.FLOOR, null, x, ROWS, COLS, scales, packed);
        return packed;
    }

    /** The old user path: one code per byte, then MxPacking.pack as a second pass. */
    @Benchmark
    public byte[] mxfp4KernelThenPack() {
        kernels.quantizeMx(ElementFormat.E2M1, 32, -1, ScaleMode.FLOOR, null, x, ROWS, COLS, scales, codes, null, null);
        return MxPacking.pack(4, false, codes, ROWS, COLS);
    }

    @Benchmark
    public byte[] nvfp4Packed() {
        kernels.quantizeScaledPacked(ElementFormat.UE4M3, false, null, x, ROWS, COLS, scales, packed, tensorScale);
        return packed;
    }

    @Benchmark
    public byte[] nvfp4Kernel() {
        kernels.quantizeScaled(ElementFormat.UE4M3, false, null, x, ROWS, COLS, scales, codes, null, null, tensorScale);
        return codes;
    }

    /**
     * The simd backend's C++ AVX2 kernels (lowbit-native), on -Dlowbit.threads threads (default:
     * every processor), whatever the threads parameter says; fails where that backend cannot run.
     */
    @Benchmark
    public byte[] simdMxfp4Packed() {
        Backends.byName("simd").mx().quantizeMxfp4Packed(32, -1, ScaleMode.FLOOR, null, x, ROWS, COLS, scales, packed);
        return packed;
    }

    @Benchmark
    public byte[] simdNvfp4Packed() {
        Backends.byName("simd").mx().quantizeScaledPacked(ElementFormat.UE4M3, false, null, x, ROWS, COLS, scales, packed, tensorScale);
        return packed;
    }

    /** The user path on the simd backend (what auto picks on an AVX2 CPU). */
    @Benchmark
    public QuantizedTensor simdMxfp4Quantize() {
        return Quantizer.mxfp4().backend(Backends.byName("simd")).quantize(x, ROWS, COLS);
    }

    @Benchmark
    public QuantizedTensor simdNvfp4Quantize() {
        return Quantizer.nvfp4().backend(Backends.byName("simd")).quantize(x, ROWS, COLS);
    }

    /** The other user paths on the simd backend: blocks down columns, 16x16 tiles, stochastic rounding. */
    @Benchmark
    public QuantizedTensor simdMxfp4Axis0Quantize() {
        return Quantizer.mxfp4().axis(0).backend(Backends.byName("simd")).quantize(x, ROWS, COLS);
    }

    @Benchmark
    public QuantizedTensor simdNvfp4Tile16Quantize() {
        return Quantizer.nvfp4().tile(Tile.T16X16).backend(Backends.byName("simd")).quantize(x, ROWS, COLS);
    }

    @Benchmark
    public QuantizedTensor simdMxfp4SrQuantize() {
        return Quantizer.mxfp4().stochastic(RandomStream.of(1)).backend(Backends.byName("simd")).quantize(x, ROWS, COLS);
    }

    @Benchmark
    public QuantizedTensor simdNvfp4SrQuantize() {
        return Quantizer.nvfp4().stochastic(RandomStream.of(1)).backend(Backends.byName("simd")).quantize(x, ROWS, COLS);
    }

    @Benchmark
    public QuantizedTensor mxfp4Quantize() {
        return mxfp4.quantize(x, ROWS, COLS);
    }

    @Benchmark
    public QuantizedTensor nvfp4Quantize() {
        return nvfp4.quantize(x, ROWS, COLS);
    }
}
