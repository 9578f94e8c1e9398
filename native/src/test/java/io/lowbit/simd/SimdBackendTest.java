package io.lowbit.simd;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.MxKernels;
import io.lowbit.mx.ScaleMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The simd backend's C++ kernels against the scalar reference, bit for bit: every Hadamard
 * size and option, in place and out of place; MXFP4 packed quantization in every scale mode
 * and block size; NVFP4/UE5M3 1x16 packed quantization; awkward values (zeros, subnormals,
 * huge values, NaN, Inf, ties) in every case, on tensors large enough to be split over threads;
 * the scaled quantizer on each instruction-set path the CPU has (AVX2, and AVX-512 where present:
 * without it only the AVX2 path is checked). Skips only when the build made no library (no g++,
 * or -Dlowbit.simd=false) or the CPU lacks AVX2/FMA.
 */
class SimdBackendTest {
    private static Backend simd;
    private static final Backend REF = Backends.scalar();

    @BeforeAll
    static void load() throws Exception {
        String reason = SimdLibrary.loadFailure();
        if (reason != null) {
            if ("true".equals(System.getProperty("lowbit.simd.available")) && !reason.contains("lacks AVX2")) {
                fail("g++ was found at build time, so the SIMD library must load, but: " + reason);
            }
            Assumptions.abort("no SIMD kernels here: " + reason);
        }
        simd = new SimdBackendProvider().create();
    }

    /** Gaussians over a wide exponent range, with zeros, subnormals, powers of two and ties mixed in. */
    static float[] awkward(SplittableRandom r, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            switch (r.nextInt(12)) {
                case 0: x[i] = 0f; break;
                case 1: x[i] = -0f; break;
                case 2: x[i] = Float.intBitsToFloat(r.nextInt(1, 0x00800000)) * (r.nextBoolean() ? 1 : -1); break;
                case 3: x[i] = (float) Math.scalb(r.nextBoolean() ? 1.0 : -1.0, r.nextInt(-20, 20)); break;
                case 4: x[i] = Math.nextDown((float) Math.scalb(1.0, r.nextInt(-10, 10))); break;
                case 5: x[i] = (float) Math.scalb(0.25 * r.nextInt(1, 32), r.nextInt(-6, 6)); break;   // E2M1 ties
                case 6: x[i] = Float.intBitsToFloat(r.nextInt() & 0x7F7FFFFF) * (r.nextBoolean() ? 1 : -1); break;
                default: x[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(-8, 8)));
            }
        }
        return x;
    }

    // ---- Hadamard ----

    @Test
    void hadamardMatchesReferenceForEverySizeAndOption() {
        SplittableRandom r = new SplittableRandom(11);
        HadamardKernels fast = simd.hadamard(), ref = REF.hadamard();
        for (int n = 2; n <= 32768; n <<= 1) {
            int blocks = Math.max(2, (1 << 17) / n);   // 2^17 floats or more: split over threads
            int cols = n * (n <= 64 ? 4 : 1), rows = blocks * n / cols;
            float[] x = awkward(r, rows * cols);
            float[] signs = new float[n];
            for (int i = 0; i < n; i++) signs[i] = r.nextBoolean() ? 1f : -1f;
            for (boolean normalize : new boolean[] {false, true}) {
                for (boolean inverse : new boolean[] {false, true}) {
                    for (float[] s : new float[][] {null, signs}) {
                        float[] want = new float[x.length];
                        ref.transform(x, want, rows, cols, n, normalize, inverse, s);
                        float[] got = new float[x.length];
                        fast.transform(x, got, rows, cols, n, normalize, inverse, s);
                        String what = "n=" + n + " normalize=" + normalize + " inverse=" + inverse + " signs=" + (s != null);
                        assertSameFloats(want, got, what + " (out of place)");
                        float[] inPlace = x.clone();
                        fast.transform(inPlace, inPlace, rows, cols, n, normalize, inverse, s);
                        assertSameFloats(want, inPlace, what + " (in place)");
                    }
                }
            }
        }
    }

    @Test
    void hadamardPropagatesNaNAndInfinity() {
        for (int n : new int[] {2, 8, 16, 256, 4096}) {
            float[] x = new float[4 * n];
            x[1] = Float.NaN;
            x[n + 1] = Float.POSITIVE_INFINITY;
            x[2 * n] = Float.NEGATIVE_INFINITY;
            x[2 * n + 1] = Float.POSITIVE_INFINITY;
            float[] want = new float[x.length], got = new float[x.length];
            REF.hadamard().transform(x, want, 4, n, n, true, false, null);
            simd.hadamard().transform(x, got, 4, n, n, true, false, null);
            assertSameFloats(want, got, "n=" + n + " with NaN/Inf");
        }
    }

    /** Bit for bit; any NaN equals any NaN (x86 and the JIT may keep different payloads). */
    static void assertSameFloats(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) && Float.isNaN(got[i])) continue;
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " is " + got[i] + ", the reference gives " + want[i]);
            }
        }
    }

    // ---- MXFP4 ----

    @Test
    void mxfp4PackedMatchesReferenceInEveryModeAndBlockSize() {
        SplittableRandom r = new SplittableRandom(12);
        // 2x617: 38 blocks + 9 (the AVX-512 row's 16-block steps, then the AVX2 row's 8-, 2- and
        // 1-block steps and a short block); 64x2048 is split over threads
        int[][] shapes = {{3, 96}, {5, 33}, {1, 1}, {2, 7}, {2, 617}, {7, 1025}, {64, 2048}};
        for (int blockSize : new int[] {32, 16, 8, 64, 1024, 7, 1, 3}) {
            for (ScaleMode mode : ScaleMode.values()) {
                for (int[] shape : shapes) {
                    checkMxfp4(awkward(r, shape[0] * shape[1]), shape[0], shape[1], blockSize, mode);
                }
            }
        }
    }

    @Test
    void mxfp4NanInfAndZeroBlocks() {
        int rows = 4, cols = 128;
        float[] x = awkward(new SplittableRandom(13), rows * cols);
        x[5] = Float.NaN;                    // block 0 of row 0
        x[40] = Float.POSITIVE_INFINITY;     // block 1 of row 0
        x[3 * 32 + 1] = Float.NEGATIVE_INFINITY;
        for (int i = 128; i < 160; i++) x[i] = 0f;     // zero block
        for (int i = 160; i < 192; i++) x[i] = 1e-40f;  // subnormal block
        x[200] = Float.MAX_VALUE;            // scale exponent at its top
        for (ScaleMode mode : ScaleMode.values()) checkMxfp4(x, rows, cols, 32, mode);
    }

    /** Amax just below, at and above powers of two: where a floating-point log2 goes wrong. */
    @Test
    void mxfp4AmaxNearPowersOfTwo() {
        int rows = 64, cols = 32;
        float[] x = new float[rows * cols];
        SplittableRandom r = new SplittableRandom(14);
        for (int row = 0; row < rows; row++) {
            float p = (float) Math.scalb(1.0, row - 32);
            float amax = row % 3 == 0 ? Math.nextDown(p) : row % 3 == 1 ? p : Math.nextUp(p);
            for (int c = 0; c < cols; c++) x[row * cols + c] = (float) (r.nextDouble() * amax);
            x[row * cols + r.nextInt(cols)] = amax;
        }
        for (ScaleMode mode : ScaleMode.values()) checkMxfp4(x, rows, cols, 32, mode);
    }

    /** MXFP4 axis 0 (blocks down columns): shapes with short last strips, column counts around
     *  the kernel's 32-column steps (odd ones included), every mode and block size. */
    @Test
    void mxfp4Axis0MatchesReference() {
        SplittableRandom r = new SplittableRandom(19);
        int[][] shapes = {{96, 3}, {33, 5}, {1, 1}, {7, 2}, {2, 617}, {64, 40}, {45, 77}, {100, 33}, {1025, 7}, {512, 256}};
        for (int blockSize : new int[] {32, 16, 8, 64, 1024, 7, 1, 3}) {
            for (ScaleMode mode : ScaleMode.values()) {
                for (int[] shape : shapes) {
                    checkMxfp4(awkward(r, shape[0] * shape[1]), shape[0], shape[1], blockSize, mode, 0);
                }
            }
        }
    }

    @Test
    void mxfp4Axis0NanInfZeroAndTinyColumns() {
        int rows = 70, cols = 70;   // 64 vector columns and 6 more, a short last strip
        float[] x = awkward(new SplittableRandom(20), rows * cols);
        for (int row = 0; row < rows; row++) {
            x[row * cols + 2] = 0f;                              // a zero column
            x[row * cols + 3] = row % 2 == 0 ? -0f : 0f;         // zeros with signs
            x[row * cols + 4] = 1e-40f * (row + 1);              // subnormal: e < -126
            x[row * cols + 65] = 0f;
        }
        x[5 * cols] = Float.NaN;                                 // column 0, block 0
        x[40 * cols + 1] = Float.POSITIVE_INFINITY;              // column 1, block 1
        x[33 * cols + 7] = Float.MAX_VALUE;                      // scale exponent at its top
        x[2 * cols + 66] = Float.NaN;                            // a column past the vector part
        for (ScaleMode mode : ScaleMode.values()) checkMxfp4(x, rows, cols, 32, mode, 0);
    }

    /** Column amaxes just below, at and above powers of two. */
    @Test
    void mxfp4Axis0AmaxNearPowersOfTwo() {
        int rows = 32, cols = 64;
        float[] x = new float[rows * cols];
        SplittableRandom r = new SplittableRandom(21);
        for (int c = 0; c < cols; c++) {
            float p = (float) Math.scalb(1.0, c - 32);
            float amax = c % 3 == 0 ? Math.nextDown(p) : c % 3 == 1 ? p : Math.nextUp(p);
            for (int row = 0; row < rows; row++) x[row * cols + c] = (float) (r.nextDouble() * amax);
            x[r.nextInt(rows) * cols + c] = amax;
        }
        for (ScaleMode mode : ScaleMode.values()) checkMxfp4(x, rows, cols, 32, mode, 0);
    }

    static void checkMxfp4(float[] x, int rows, int cols, int blockSize, ScaleMode mode) {
        checkMxfp4(x, rows, cols, blockSize, mode, -1);
    }

    static void checkMxfp4(float[] x, int rows, int cols, int blockSize, ScaleMode mode, int axis) {
        checkMxfp4(x, rows, cols, blockSize, mode, axis, null);
    }

    /** The output arrays start full of 0x5A, so a byte or nibble the kernel leaves unwritten shows. */
    static void checkMxfp4(float[] x, int rows, int cols, int blockSize, ScaleMode mode, int axis, RandomStream st) {
        int scaleCount = axis == 0 ? ((rows + blockSize - 1) / blockSize) * cols : rows * ((cols + blockSize - 1) / blockSize);
        int packedCount = rows * ((cols + 1) / 2);
        byte[] wantScales = new byte[scaleCount], wantPacked = new byte[packedCount];
        REF.mx().quantizeMxfp4Packed(blockSize, axis, mode, st, x, rows, cols, wantScales, wantPacked);
        byte[] gotScales = new byte[scaleCount], gotPacked = new byte[packedCount];
        java.util.Arrays.fill(gotScales, (byte) 0x5A);
        java.util.Arrays.fill(gotPacked, (byte) 0x5A);
        simd.mx().quantizeMxfp4Packed(blockSize, axis, mode, st, x, rows, cols, gotScales, gotPacked);
        String what = "MXFP4 " + rows + "x" + cols + " block " + blockSize + " " + mode + " axis " + axis
                + (st == null ? "" : " SR " + st);
        assertArrayEquals(wantScales, gotScales, what + ": scales");
        assertArrayEquals(wantPacked, gotPacked, what + ": packed codes");
    }

    // ---- stochastic rounding ----

    /** Streams with a carry out of the counter's low word, the 64-bit wrap, and streams 0 and 1. */
    static final RandomStream[] STREAMS = {
        RandomStream.of(1), new RandomStream(0x0123456789ABCDEFL, 0xFFFFFFFEL, 1),
        new RandomStream(-7L, -3L, 0), new RandomStream(42L, 1L << 40, 5)};

    @Test
    void randomWordsMatchReference() {
        for (RandomStream st : STREAMS) {
            for (int count : new int[] {0, 1, 3, 4, 31, 32, 33, 100, 1000, 70001}) {
                int[] want = new int[count], got = new int[count + 1];
                REF.random().words(st, want, count);
                got[count] = 0x5A5A5A5A;
                simd.random().words(st, got, count);
                assertArrayEquals(want, java.util.Arrays.copyOf(got, count), st + " count " + count);
                assertEquals(0x5A5A5A5A, got[count], "nothing written past count");
            }
        }
    }

    @Test
    void mxfp4StochasticMatchesReference() {
        SplittableRandom r = new SplittableRandom(23);
        // 5x33, 2x617: rows starting off a counter's four words; 64x2048: split over threads
        int[][] shapes = {{3, 96}, {5, 33}, {1, 1}, {2, 7}, {2, 617}, {64, 2048}};
        for (RandomStream st : STREAMS) {
            for (int blockSize : new int[] {32, 16, 8, 7, 1, 1024}) {
                for (ScaleMode mode : ScaleMode.values()) {
                    for (int[] shape : shapes) {
                        checkMxfp4(awkward(r, shape[0] * shape[1]), shape[0], shape[1], blockSize, mode, -1, st);
                    }
                }
            }
        }
        float[] x = awkward(r, 4 * 128);
        x[5] = Float.NaN;
        x[40] = Float.POSITIVE_INFINITY;
        for (int i = 128; i < 160; i++) x[i] = 0f;
        for (int i = 160; i < 192; i++) x[i] = 1e-40f * i;     // e < -126
        x[200] = Float.MAX_VALUE;
        for (ScaleMode mode : ScaleMode.values()) checkMxfp4(x, 4, 128, 32, mode, -1, STREAMS[1]);
    }

    @Test
    void scaledStochasticMatchesReference() {
        SplittableRandom r = new SplittableRandom(24);
        int[][] shapes = {{3, 96}, {5, 33}, {1, 1}, {2, 7}, {7, 1025}, {64, 2048}};
        for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
            for (RandomStream st : STREAMS) {
                for (int[] shape : shapes) {
                    float[] x = awkward(r, shape[0] * shape[1]);
                    checkScaled(sf, false, st, x, shape[0], shape[1]);
                    for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3);
                    checkScaled(sf, false, st, x, shape[0], shape[1]);
                }
            }
            float[] tiny = new float[64];
            for (int i = 0; i < tiny.length; i++) tiny[i] = Float.intBitsToFloat(i + 1) * (i % 2 == 0 ? 1 : -1);
            checkScaled(sf, false, STREAMS[0], tiny, 2, 32);
            float[] nan = awkward(r, 64);
            nan[9] = Float.NaN;
            checkScaled(sf, false, STREAMS[0], nan, 2, 32);      // the Java kernels take it
        }
    }

    // ---- NVFP4 and UE5M3 ----

    @Test
    void scaledPackedMatchesReference() {
        SplittableRandom r = new SplittableRandom(15);
        // 2x617: 38 blocks + 9 (the AVX-512 row's 16-block steps, then the AVX2 row's 8-, 2- and
        // 1-block steps and a short block); 64x2048 is split over threads
        int[][] shapes = {{3, 96}, {5, 33}, {1, 1}, {2, 7}, {2, 617}, {7, 1025}, {64, 2048}};
        for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
            for (int[] shape : shapes) {
                float[] x = awkward(r, shape[0] * shape[1]);
                checkScaled(sf, x, shape[0], shape[1]);
                // narrow ranges, where block scales fall on the scale format's ties
                for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3);
                checkScaled(sf, x, shape[0], shape[1]);
            }
        }
    }

    /** 16x16 tiles: odd and even tile counts per row, strips split over threads, both scale formats. */
    @Test
    void scaledTilesMatchReference() {
        SplittableRandom r = new SplittableRandom(22);
        int[][] shapes = {{16, 16}, {32, 48}, {16, 528}, {48, 16}, {64, 2048}};
        for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
            for (int[] shape : shapes) {
                float[] x = awkward(r, shape[0] * shape[1]);
                checkScaled(sf, true, x, shape[0], shape[1]);
                for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 3);
                checkScaled(sf, true, x, shape[0], shape[1]);
            }
            checkScaled(sf, true, new float[32 * 32], 32, 32);          // all zero
            float[] nan = awkward(r, 32 * 32);
            nan[100] = Float.NaN;
            checkScaled(sf, true, nan, 32, 32);                          // the Java kernels take it
        }
    }

    /** Large enough (2^21 elements a thread) for the non-temporal stores of the packed bytes. */
    @Test
    void scaledPackedLargeTensor() {
        SplittableRandom r = new SplittableRandom(18);
        float[] x = new float[1024 * 4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(-4, 4)));
        checkScaled(ElementFormat.UE4M3, x, 1024, 4096);
        checkScaled(ElementFormat.UE5M3, x, 1024, 4096);
        checkScaled(ElementFormat.UE4M3, true, x, 1024, 4096);
        for (ScaleMode mode : ScaleMode.values()) checkMxfp4(x, 1024, 4096, 32, mode, 0);
    }

    @Test
    void scaledPackedZeroTinyAndNaNTensors() {
        for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
            checkScaled(sf, new float[64], 2, 32);
            float[] tiny = new float[64];
            for (int i = 0; i < tiny.length; i++) tiny[i] = Float.intBitsToFloat(i + 1);
            checkScaled(sf, tiny, 2, 32);
            float[] wide = awkward(new SplittableRandom(16), 64);
            wide[3] = Float.MAX_VALUE;
            checkScaled(sf, wide, 2, 32);
            float[] nan = awkward(new SplittableRandom(17), 64);
            nan[40] = Float.NaN;
            checkScaled(sf, nan, 2, 32);     // the Java kernels take it: contract 5's NaN tensor
            nan[40] = Float.NEGATIVE_INFINITY;
            checkScaled(sf, nan, 2, 32);
        }
    }

    /** Each scaled check runs on every instruction-set path this CPU has (AVX2, AVX-512). */
    static void checkScaled(ElementFormat sf, float[] x, int rows, int cols) {
        checkScaled(sf, false, x, rows, cols);
    }

    static void checkScaled(ElementFormat sf, boolean tile16x16, float[] x, int rows, int cols) {
        checkScaled(sf, tile16x16, null, x, rows, cols);
    }

    static void checkScaled(ElementFormat sf, boolean tile16x16, RandomStream st, float[] x, int rows, int cols) {
        int top = LowbitSimd.lb_cpu_simd_level();
        try {
            for (int level = 1; level <= top; level++) {
                assertEquals(level, LowbitSimd.lb_cpu_set_simd_level(level));
                checkScaledOnce(sf, tile16x16, st, x, rows, cols, "level " + level);
            }
        } finally {
            LowbitSimd.lb_cpu_set_simd_level(top);
        }
    }

    static void checkScaledOnce(ElementFormat sf, boolean tile16x16, RandomStream st, float[] x, int rows, int cols,
                                String level) {
        MxKernels ref = REF.mx(), fast = simd.mx();
        int scaleCount = rows * ((cols + 15) / 16);
        int packedCount = rows * ((cols + 1) / 2);
        byte[] wantScales = new byte[scaleCount], wantPacked = new byte[packedCount];
        float[] wantT = new float[1], gotT = new float[1];
        ref.quantizeScaledPacked(sf, tile16x16, st, x, rows, cols, wantScales, wantPacked, wantT);
        byte[] gotScales = new byte[scaleCount], gotPacked = new byte[packedCount];
        java.util.Arrays.fill(gotScales, (byte) 0x5A);
        java.util.Arrays.fill(gotPacked, (byte) 0x5A);
        fast.quantizeScaledPacked(sf, tile16x16, st, x, rows, cols, gotScales, gotPacked, gotT);
        String what = sf + (tile16x16 ? " 16x16 " : " ") + rows + "x" + cols + (st == null ? "" : " SR " + st)
                + " (" + level + ")";
        assertEquals(Float.floatToRawIntBits(wantT[0]), Float.floatToRawIntBits(gotT[0]), what + ": decT");
        assertArrayEquals(wantScales, gotScales, what + ": scales");
        assertArrayEquals(wantPacked, gotPacked, what + ": packed codes");
    }

    @Test
    void backendIsChosenForCpuAndDescribesItself() {
        assertEquals("simd", simd.name());
        assertTrue(simd.description().contains("AVX2"), simd.description());
        assertEquals(LowbitSimd.lb_cpu_simd_level() >= 2, simd.description().contains("AVX-512"), simd.description());
        assertEquals("simd", Backends.byName("cpu").name());
    }
}
