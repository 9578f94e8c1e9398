package io.lowbit.cli;

import io.lowbit.CastOptions;
import io.lowbit.Codebook;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.backend.scalar.ScalarQat;
import io.lowbit.cuda.CudaHadamard;
import io.lowbit.cuda.CudaKernels;
import io.lowbit.cuda.CudaScaled;
import io.lowbit.cuda.CudaTimer;
import io.lowbit.cuda.DeviceBuffer;
import io.lowbit.cuda.DeviceCodebook;
import io.lowbit.mx.ScaleMode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.LongFunction;

/**
 * What {@code lowbit gpu-bench} measures: one {@link DeviceCase} per kernel, on device buffers
 * (through {@link CudaKernels}, {@link CudaScaled}, {@link CudaHadamard}), timed with CUDA events,
 * no host copies in the window. Every kernel family of {@link Backend} has at least one case.
 *
 * <p>Bytes per call: each input read once and each output written once at the call's interface
 * (a lower bound: the scaled quantizer reads x twice, an optimizer step reads its block twice).
 * Element counts are multiples of {@link #COLS} (inputs are {@code n / COLS} rows of COLS).
 * The two input sets are shared by all cases and never written.
 */
final class GpuBenchCases {
    /** Row length of matrix-shaped inputs: a multiple of every block (32, 16, 256) and Hadamard size (<= 8192). */
    static final int COLS = 8192;

    private GpuBenchCases() {}

    /** Allocates device buffers and codebooks and frees them all at the end of a case. */
    static final class Buffers implements AutoCloseable {
        private final List<AutoCloseable> owned = new ArrayList<>();

        DeviceBuffer floats(long n) { return keep(DeviceBuffer.floats(n)); }
        DeviceBuffer bytes(long n) { return keep(DeviceBuffer.bytes(n)); }
        DeviceBuffer ints(long n) { return keep(DeviceBuffer.ints(n)); }
        DeviceCodebook codebook(Codebook c) { return keep(DeviceCodebook.of(c)); }

        /** A FLOAT copy of {@code src} (device to device, waited for: setup is untimed). */
        DeviceBuffer copyOf(DeviceBuffer src) {
            DeviceBuffer b = floats(src.length());
            CudaTimer.copyDeviceToDevice(src, b, src.byteSize());
            CudaTimer.synchronize(src);
            return b;
        }

        private <T extends AutoCloseable> T keep(T b) {
            owned.add(b);
            return b;
        }

        @Override
        public void close() {
            RuntimeException first = null;
            for (AutoCloseable b : owned) {
                try {
                    b.close();
                } catch (Exception e) {   // free the rest, report the first failure
                    if (first == null) first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                }
            }
            owned.clear();
            if (first != null) throw first;
        }
    }

    /** Prepares a kernel's buffers (and untimed inputs) for both sets; the result runs set 0 or 1. */
    interface Setup {
        IntConsumer prepare(Buffers mem, DeviceBuffer[] input, long n);
    }

    /**
     * One timed kernel. {@code family}: the {@link Backend} method of its kernel family (casts, random,
     * mx, hadamard, blockwise, qat); {@code bytesPerCall}: bytes moved per call for n input elements.
     */
    record DeviceCase(String family, String name, LongFunction<Long> bytesPerCall, Setup setup) {}

    static List<DeviceCase> deviceCases() {
        List<DeviceCase> cases = new ArrayList<>();
        RandomStream random = RandomStream.of(20261123);
        CastOptions sr = CastOptions.stochastic(random, false);
        for (CastOptions o : new CastOptions[] {CastOptions.RNE, sr}) {
            String how = o == sr ? "stochastic" : "RNE";
            cases.add(new DeviceCase("casts", "encode E4M3 (" + how + ")", n -> 4 * n + n, (mem, in, n) -> {
                DeviceBuffer[] out = {mem.bytes(n), mem.bytes(n)};
                return s -> CudaKernels.encode(ElementFormat.E4M3, o, in[s], out[s], n);
            }));
            cases.add(new DeviceCase("casts", "encode E2M1 packed (" + how + ")", n -> 4 * n + (n + 1) / 2, (mem, in, n) -> {
                DeviceBuffer[] out = {mem.bytes((n + 1) / 2), mem.bytes((n + 1) / 2)};
                return s -> CudaKernels.encodePackedE2M1(o, in[s], out[s], n);
            }));
        }
        for (ElementFormat f : new ElementFormat[] {ElementFormat.E4M3, ElementFormat.E2M1}) {
            cases.add(new DeviceCase("casts", "decode " + f + " (one code per byte)", n -> n + 4 * n, (mem, in, n) -> {
                DeviceBuffer[] codes = {mem.bytes(n), mem.bytes(n)};
                DeviceBuffer[] out = {mem.floats(n), mem.floats(n)};
                for (int s = 0; s < 2; s++) CudaKernels.encode(f, CastOptions.RNE, in[s], codes[s], n);
                return s -> CudaKernels.decode(f, codes[s], out[s], n);
            }));
        }
        cases.add(new DeviceCase("random", "random words (Philox)", n -> 4 * n, (mem, in, n) -> {
            DeviceBuffer[] out = {mem.ints(n), mem.ints(n)};
            return s -> CudaKernels.randomWords(random, out[s], n);
        }));
        for (int axis : new int[] {-1, 0}) {
            for (RandomStream r : new RandomStream[] {null, random}) {
                String name = "MX quantize MXFP4 " + (r == null ? "RNE" : "stochastic") + ", axis " + axis;
                cases.add(new DeviceCase("mx", name, n -> 4 * n + n + n / 32, (mem, in, n) -> {
                    int rows = (int) (n / COLS);
                    DeviceBuffer[] scales = {mem.bytes(n / 32), mem.bytes(n / 32)};
                    DeviceBuffer[] codes = {mem.bytes(n), mem.bytes(n)};
                    return s -> CudaKernels.quantizeMx(ElementFormat.E2M1, 32, axis, ScaleMode.FLOOR, r, in[s], rows, COLS,
                            scales[s], codes[s], null, null);
                }));
            }
        }
        cases.add(new DeviceCase("mx", "MX dequantize MXFP4, axis -1", n -> n + n / 32 + 4 * n, (mem, in, n) -> {
            int rows = (int) (n / COLS);
            DeviceBuffer[] scales = {mem.bytes(n / 32), mem.bytes(n / 32)};
            DeviceBuffer[] codes = {mem.bytes(n), mem.bytes(n)};
            DeviceBuffer[] out = {mem.floats(n), mem.floats(n)};
            for (int s = 0; s < 2; s++) {
                CudaKernels.quantizeMx(ElementFormat.E2M1, 32, -1, ScaleMode.FLOOR, null, in[s], rows, COLS, scales[s],
                        codes[s], null, null);
            }
            return s -> CudaKernels.dequantizeMx(ElementFormat.E2M1, 32, -1, scales[s], codes[s], rows, COLS, out[s]);
        }));
        scaledCases(cases, random);
        hadamardCases(cases, random);
        optimizerCases(cases);
        return cases;
    }

    /**
     * NVFP4 (E2M1 codes one per byte, UE4M3 scales per 1x16 block, float32 tensor scale): x read,
     * codes, scales and decT written. The kernel reads x twice (amax, then quantize): not counted.
     */
    static long scaledBytes(long n) { return 4 * n + n + n / 16 + 4; }

    private static void scaledCases(List<DeviceCase> cases, RandomStream random) {
        for (RandomStream r : new RandomStream[] {null, random}) {
            cases.add(new DeviceCase("mx", "NVFP4 quantize (UE4M3 scales, 1x16, " + (r == null ? "RNE" : "stochastic") + ")",
                    GpuBenchCases::scaledBytes, (mem, in, n) -> {
                        ScaledOut[] out = {ScaledOut.of(mem, n), ScaledOut.of(mem, n)};
                        return s -> out[s].quantize(r, in[s], n);
                    }));
        }
    }

    /** The outputs of one NVFP4 quantize call. */
    private record ScaledOut(DeviceBuffer scales, DeviceBuffer codes, DeviceBuffer decT) {
        static ScaledOut of(Buffers mem, long n) { return new ScaledOut(mem.bytes(n / 16), mem.bytes(n), mem.floats(1)); }

        void quantize(RandomStream r, DeviceBuffer x, long n) {
            CudaScaled.quantize(ElementFormat.UE4M3, false, r, x, (int) (n / COLS), COLS, scales, codes, null, null, decT);
        }
    }

    /** Rotation size of the rotate + quantize pair: one Hadamard block per NVFP4 block. */
    static final int ROTATE_N = 16;

    private static void hadamardCases(List<DeviceCase> cases, RandomStream random) {
        for (int size : new int[] {128, 1024, 8192}) {
            cases.add(new DeviceCase("hadamard", "Hadamard n=" + size + " (normalized, random signs)", n -> 4 * n + 4 * n,
                    (mem, in, n) -> {
                        DeviceBuffer[] y = {mem.floats(n), mem.floats(n)};   // out of place: the inputs stay intact
                        return s -> CudaHadamard.transformRandomSigns(in[s], y[s], (int) (n / COLS), COLS, size, true, false,
                                random);
                    }));
        }
        // No fused kernel in this build: two kernels back to back in one window, counted as a fused kernel
        // would move (x read, NVFP4 out written), so the % shows the distance to one fused pass.
        cases.add(new DeviceCase("hadamard", "rotate n=" + ROTATE_N + " + NVFP4 quantize (stochastic): two kernels back to back",
                GpuBenchCases::scaledBytes, (mem, in, n) -> {
                    DeviceBuffer[] rotated = {mem.floats(n), mem.floats(n)};
                    ScaledOut[] out = {ScaledOut.of(mem, n), ScaledOut.of(mem, n)};
                    return s -> {
                        CudaHadamard.transformRandomSigns(in[s], rotated[s], (int) (n / COLS), COLS, ROTATE_N, true, false,
                                random);
                        out[s].quantize(random, rotated[s], n);
                    };
                }));
    }

    /** Blockwise block size of the optimizer cases (bitsandbytes' default). */
    static final int BLOCK = 256;

    /** 8-bit blockwise quantize: x read; codes (one per element) and one float32 absmax per block written. */
    static long blockwiseBytes(long n) { return 4 * n + n + 4 * (n / BLOCK); }

    /**
     * One 8-bit AdamW step: p, g, m and v codes and both absmax read; p, m and v codes and both absmax
     * written. Each call also allocates, zeroes, reads back and frees its non-finite counter (in the window).
     */
    static long adamw8Bytes(long n) { return (4 * n + 4 * n + 2 * n + 8 * (n / BLOCK)) + (4 * n + 2 * n + 8 * (n / BLOCK)); }

    /**
     * LSQ forward then backward, one scale per row: forward reads x and the scales, writes q; backward
     * reads x, g and the scales, writes dx and ds.
     */
    static long lsqBytes(long n) {
        long rows = n / COLS;
        return (4 * n + 4 * rows + 4 * n) + (8 * n + 4 * rows + 4 * n + 4 * rows);
    }

    private static void optimizerCases(List<DeviceCase> cases) {
        cases.add(new DeviceCase("blockwise", "blockwise quantize 8-bit (dynamic-signed, block " + BLOCK + ")",
                GpuBenchCases::blockwiseBytes, (mem, in, n) -> {
                    DeviceCodebook book = mem.codebook(Codebook.DYNAMIC_SIGNED);
                    DeviceBuffer[] absmax = {mem.floats(n / BLOCK), mem.floats(n / BLOCK)};
                    DeviceBuffer[] codes = {mem.bytes(n), mem.bytes(n)};
                    return s -> CudaKernels.blockwiseQuantize(book, BLOCK, in[s], n, absmax[s], codes[s]);
                }));
        cases.add(new DeviceCase("blockwise", "8-bit AdamW step (block " + BLOCK + ")", GpuBenchCases::adamw8Bytes,
                (mem, in, n) -> {
                    DeviceCodebook mBook = mem.codebook(Codebook.DYNAMIC_SIGNED);
                    DeviceCodebook vBook = mem.codebook(Codebook.DYNAMIC_UNSIGNED);
                    AdamWScalars scalars = AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, 1);
                    DeviceBuffer[] p = new DeviceBuffer[2], mCodes = new DeviceBuffer[2], vCodes = new DeviceBuffer[2];
                    DeviceBuffer[] mAbsmax = new DeviceBuffer[2], vAbsmax = new DeviceBuffer[2];
                    for (int s = 0; s < 2; s++) {
                        p[s] = mem.copyOf(in[s]);   // updated in place, so not the shared input
                        mCodes[s] = mem.bytes(n);
                        vCodes[s] = mem.bytes(n);
                        mAbsmax[s] = mem.floats(n / BLOCK);
                        vAbsmax[s] = mem.floats(n / BLOCK);
                        // defined, finite states: the gradient quantized with each state's codebook
                        CudaKernels.blockwiseQuantize(mBook, BLOCK, in[1 - s], n, mAbsmax[s], mCodes[s]);
                        CudaKernels.blockwiseQuantize(vBook, BLOCK, in[1 - s], n, vAbsmax[s], vCodes[s]);
                    }
                    return s -> CudaKernels.adamw8(scalars, mBook, vBook, BLOCK, p[s], in[1 - s], mCodes[s], mAbsmax[s],
                            vCodes[s], vAbsmax[s], n);
                }));
        cases.add(new DeviceCase("qat", "LSQ forward + backward (per-row scale, 4-bit signed): two kernels",
                GpuBenchCases::lsqBytes, (mem, in, n) -> {
                    int rows = (int) (n / COLS);
                    float[] hostScales = new float[rows];
                    java.util.Arrays.fill(hostScales, 0.25f);
                    DeviceBuffer scales = mem.floats(rows);
                    scales.copyFrom(hostScales);
                    DeviceBuffer[] q = {mem.floats(n), mem.floats(n)};
                    DeviceBuffer[] dx = {mem.floats(n), mem.floats(n)};
                    DeviceBuffer[] ds = {mem.floats(rows), mem.floats(rows)};
                    int qn = ScalarQat.gridQn(4, true), qp = ScalarQat.gridQp(4, true);
                    return s -> {   // x = input set s, g = the other set (both read only)
                        CudaKernels.lsqForward(in[s], rows, COLS, COLS, scales, null, qn, qp, q[s]);
                        CudaKernels.lsqBackward(in[s], in[1 - s], rows, COLS, COLS, scales, null, qn, qp, dx[s], ds[s], null);
                    };
                }));
    }

    /** The table's legend: what each row counts as bytes moved per call (n float32 input elements). */
    static final String BYTES_LEGEND = """

            Bytes per call (n = float32 input elements; each input read once, each output written once; a lower bound):

            - encode E4M3: 4n + n; encode E2M1 packed: 4n + ceil(n/2); decode: n + 4n; random words: 4n (written)
            - MX quantize MXFP4 (block 32): 4n + n codes + n/32 scales; MX dequantize: n + n/32 + 4n
            - NVFP4 quantize (1x16): 4n + n codes (one per byte) + n/16 UE4M3 scales + 4 (decT); x is read twice by the
              kernel (amax pass, then quantize): the second read is not counted
            - Hadamard: 4n + 4n (out of place; the random signs are drawn in the kernel)
            - rotate n=16 + NVFP4: two kernels (Hadamard into a temporary, then NVFP4 quantize) in one event window, counted
              as one fused pass would move (4n + n + n/16 + 4): the temporary's 8n is not counted, so the % of copy shows
              the distance to a fused kernel
            - blockwise quantize 8-bit (block 256): 4n + n codes + 4n/256 absmax
            - 8-bit AdamW (block 256): read p 4n, g 4n, m and v codes 2n, absmax 8n/256; write p 4n, codes 2n, absmax
              8n/256; each call also allocates, zeroes, reads back and frees a non-finite counter (inside the window)
            - LSQ forward + backward (one scale per row of 8192): forward x 4n + scales, q 4n; backward x and g 8n + scales,
              dx 4n + ds (scales and ds: 4 bytes per row each)
            """;

    /** Kernels with no entry point the benchmark can call in this build (reported as not measured). */
    static List<Missing> missing() {
        return List.of(new Missing("fused Hadamard rotate + MXFP4/NVFP4 quantize (one kernel)",
                "no fused CUDA kernel in this build (the two-kernel rotate + NVFP4 pair is measured above)"));
    }

    record Missing(String name, String why) {}

    /** Normally distributed floats (seeded): realistic inputs for quantizers. */
    static float[] gaussian(long n) {
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("n must fit a Java array, got " + n);
        float[] x = new float[(int) n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(n);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }
}
