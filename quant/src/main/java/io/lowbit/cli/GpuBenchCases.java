package io.lowbit.cli;

import io.lowbit.CastOptions;
import io.lowbit.Codebook;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.cuda.CudaKernels;
import io.lowbit.cuda.DeviceBuffer;
import io.lowbit.hadamard.Hadamard;
import io.lowbit.mx.ScaleMode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.LongFunction;

/**
 * What {@code lowbit gpu-bench} measures. Two kinds of case:
 * <ul>
 * <li>{@link DeviceCase}: a kernel on device buffers through {@link CudaKernels}, timed with CUDA
 *     events; one per family that has a device-buffer entry point today (casts, random words, MX);</li>
 * <li>{@link HostCase}: a family reached only through the {@link Backend} interface (host arrays).
 *     A tiny call first discovers whether the CUDA backend implements it (an
 *     {@link UnsupportedOperationException} means not yet); if so it is timed by wall clock,
 *     host copies included, until a device-buffer case replaces it here.</li>
 * </ul>
 * Element counts are multiples of {@link #COLS} (inputs are {@code n / COLS} rows of COLS).
 */
final class GpuBenchCases {
    /** Row length of matrix-shaped inputs: a multiple of every block (32, 16, 256) and Hadamard size (<= 8192). */
    static final int COLS = 8192;

    private GpuBenchCases() {}

    /** Allocates device buffers and frees them all at the end of a case. */
    static final class Buffers implements AutoCloseable {
        private final List<DeviceBuffer> owned = new ArrayList<>();

        DeviceBuffer floats(long n) { return keep(DeviceBuffer.floats(n)); }
        DeviceBuffer bytes(long n) { return keep(DeviceBuffer.bytes(n)); }
        DeviceBuffer ints(long n) { return keep(DeviceBuffer.ints(n)); }

        private DeviceBuffer keep(DeviceBuffer b) {
            owned.add(b);
            return b;
        }

        @Override
        public void close() {
            for (DeviceBuffer b : owned) b.close();
            owned.clear();
        }
    }

    /** Prepares a kernel's buffers (and untimed inputs) for both sets; the result runs set 0 or 1. */
    interface Setup {
        IntConsumer prepare(Buffers mem, DeviceBuffer[] input, long n);
    }

    record DeviceCase(String name, LongFunction<Long> bytesPerCall, Setup setup) {}

    /** {@code make.apply(n)} allocates host arrays for n elements and returns one call on them. */
    record HostCase(String name, LongFunction<Long> bytesPerCall, LongFunction<Runnable> make) {}

    static List<DeviceCase> deviceCases() {
        List<DeviceCase> cases = new ArrayList<>();
        RandomStream random = RandomStream.of(20261123);
        CastOptions sr = CastOptions.stochastic(random, false);
        for (CastOptions o : new CastOptions[] {CastOptions.RNE, sr}) {
            String how = o == sr ? "stochastic" : "RNE";
            cases.add(new DeviceCase("encode E4M3 (" + how + ")", n -> 4 * n + n, (mem, in, n) -> {
                DeviceBuffer[] out = {mem.bytes(n), mem.bytes(n)};
                return s -> CudaKernels.encode(ElementFormat.E4M3, o, in[s], out[s], n);
            }));
            cases.add(new DeviceCase("encode E2M1 packed (" + how + ")", n -> 4 * n + (n + 1) / 2, (mem, in, n) -> {
                DeviceBuffer[] out = {mem.bytes((n + 1) / 2), mem.bytes((n + 1) / 2)};
                return s -> CudaKernels.encodePackedE2M1(o, in[s], out[s], n);
            }));
        }
        for (ElementFormat f : new ElementFormat[] {ElementFormat.E4M3, ElementFormat.E2M1}) {
            cases.add(new DeviceCase("decode " + f + " (one code per byte)", n -> n + 4 * n, (mem, in, n) -> {
                DeviceBuffer[] codes = {mem.bytes(n), mem.bytes(n)};
                DeviceBuffer[] out = {mem.floats(n), mem.floats(n)};
                for (int s = 0; s < 2; s++) CudaKernels.encode(f, CastOptions.RNE, in[s], codes[s], n);
                return s -> CudaKernels.decode(f, codes[s], out[s], n);
            }));
        }
        cases.add(new DeviceCase("random words (Philox)", n -> 4 * n, (mem, in, n) -> {
            DeviceBuffer[] out = {mem.ints(n), mem.ints(n)};
            return s -> CudaKernels.randomWords(random, out[s], n);
        }));
        for (int axis : new int[] {-1, 0}) {
            for (RandomStream r : new RandomStream[] {null, random}) {
                String name = "MX quantize MXFP4 " + (r == null ? "RNE" : "stochastic") + ", axis " + axis;
                cases.add(new DeviceCase(name, n -> 4 * n + n + n / 32, (mem, in, n) -> {
                    int rows = (int) (n / COLS);
                    DeviceBuffer[] scales = {mem.bytes(n / 32), mem.bytes(n / 32)};
                    DeviceBuffer[] codes = {mem.bytes(n), mem.bytes(n)};
                    return s -> CudaKernels.quantizeMx(ElementFormat.E2M1, 32, axis, ScaleMode.FLOOR, r, in[s], rows, COLS,
                            scales[s], codes[s], null, null);
                }));
            }
        }
        cases.add(new DeviceCase("MX dequantize MXFP4, axis -1", n -> n + n / 32 + 4 * n, (mem, in, n) -> {
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
        return cases;
    }

    /** Families with no device-buffer entry point in this build, reached through the backend's host-array API. */
    static List<HostCase> hostCases(Backend cuda) {
        List<HostCase> cases = new ArrayList<>();
        cases.add(new HostCase("NVFP4 scaled quantize (UE4M3 scales, 1x16)", n -> 4 * n + n + n / 16, n -> {
            float[] x = gaussian(n);
            int rows = (int) (n / COLS);
            byte[] scales = new byte[(int) (n / 16)];
            byte[] codes = new byte[(int) n];
            float[] tensorScale = new float[1];
            return () -> cuda.mx().quantizeScaled(ElementFormat.UE4M3, false, null, x, rows, COLS, scales, codes, null,
                    null, tensorScale);
        }));
        for (int size = 128; size <= 8192; size *= 2) {
            int h = size;
            cases.add(new HostCase("Hadamard n=" + h + " (normalized, random signs)", n -> 8 * n, n -> {
                float[] x = gaussian(n);
                float[] y = new float[(int) n];
                float[] signs = Hadamard.randomSigns(RandomStream.of(h), h);
                int rows = (int) (n / COLS);
                return () -> cuda.hadamard().transform(x, y, rows, COLS, h, true, false, signs);
            }));
        }
        cases.add(new HostCase("blockwise quantize (dynamic-signed, block 256)", n -> 4 * n + n + 4 * (n / 256), n -> {
            float[] x = gaussian(n);
            int blocks = (int) (n / 256);
            float[] absmax = new float[blocks];
            byte[] codes = new byte[(int) n];
            return () -> cuda.blockwise().quantize(Codebook.DYNAMIC_SIGNED, 256, x, (int) n, absmax, codes, 0, blocks);
        }));
        // p, g, m and v codes + absmax read; p, m and v codes + absmax written.
        cases.add(new HostCase("8-bit AdamW step (block 256)", n -> (4 * n + 4 * n + 2 * n + 8 * (n / 256))
                + (4 * n + 2 * n + 8 * (n / 256)), n -> {
            float[] p = gaussian(n);
            float[] g = gaussian(n);
            int blocks = (int) (n / 256);
            byte[] mCodes = new byte[(int) n];
            byte[] vCodes = new byte[(int) n];
            float[] mAbsmax = new float[blocks];
            float[] vAbsmax = new float[blocks];
            AdamWScalars s = AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, 1);
            return () -> cuda.blockwise().adamw8(s, Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, 256, p, g,
                    mCodes, mAbsmax, vCodes, vAbsmax, (int) n, 0, blocks);
        }));
        // forward reads x, writes q; backward reads x and g, writes dx (scales and ds are per row: negligible).
        cases.add(new HostCase("LSQ forward + backward (per-row scale, 4-bit)", n -> 8 * n + 12 * n, n -> {
            float[] x = gaussian(n);
            float[] g = gaussian(n);
            int rows = (int) (n / COLS);
            float[] scales = new float[rows];
            java.util.Arrays.fill(scales, 0.25f);
            float[] q = new float[(int) n];
            float[] dx = new float[(int) n];
            float[] ds = new float[rows];
            return () -> {
                cuda.qat().lsqForward(x, rows, COLS, COLS, scales, null, 8, 7, q);
                cuda.qat().lsqBackward(x, g, rows, COLS, COLS, scales, null, 8, 7, dx, ds, null);
            };
        }));
        return cases;
    }

    /** Kernels with no entry point the benchmark can call in this build (reported as not measured). */
    static List<Missing> missing() {
        return List.of(new Missing("fused Hadamard rotate + MXFP4 quantize",
                "no fused CUDA entry point in this build (add a DeviceCase in GpuBenchCases when it lands)"));
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
