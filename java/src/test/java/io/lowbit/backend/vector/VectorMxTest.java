package io.lowbit.backend.vector;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.MxKernels;
import io.lowbit.backend.scalar.ScalarCodec;
import io.lowbit.backend.scalar.ScalarMx;
import io.lowbit.mx.ScaleMode;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Vectorized and multithreaded MX/scaled quantization against the scalar reference, bit for bit. */
class VectorMxTest {
    static final ElementFormat[] ELEMS = {ElementFormat.E2M1, ElementFormat.E2M3, ElementFormat.E3M2,
            ElementFormat.E4M3, ElementFormat.E5M2, ElementFormat.INT8};
    static final ScalarMx REFERENCE = new ScalarMx();
    static final MxKernels[] FAST = {new VectorMx(1, 1 << 16), new VectorMx(2, 37), new VectorMx(3, 64),
            new VectorMx(7, 100)};

    /** Random bit patterns, Gaussians of random magnitude, planted specials. */
    static float[] input(Random r, int n) {
        float[] x = new float[n];
        double mag = 1;
        int kind = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            if (i % 7 == 0) mag = Math.scalb(1.0, r.nextInt(60) - 30);
            switch (kind) {
                case 0: x[i] = Float.intBitsToFloat(r.nextInt()); break;   // NaN, Inf, subnormals...
                case 1: x[i] = Float.intBitsToFloat(r.nextInt() & 0x807FFFFF | (r.nextInt(3) + 126) << 23); break;
                case 4: x[i] = (float) Math.scalb((double) (r.nextInt(512) - 256), r.nextInt(6) - 4); break;   // exact ties
                default: x[i] = (float) (r.nextGaussian() * mag); break;
            }
            if (kind >= 2 && kind < 4 && r.nextInt(200) == 0) x[i] = r.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;
            if (r.nextInt(50) == 0) x[i] = Float.intBitsToFloat(r.nextInt(0x00800000));
            if (r.nextInt(50) == 0) x[i] = Float.intBitsToFloat(0x3FFFFFFF) * (float) Math.scalb(1.0, r.nextInt(20) - 10);
            if (r.nextInt(50) == 0) x[i] = -0f;
        }
        return x;
    }

    @Test
    void mxMatchesScalarOnEveryThreadCount() {
        Random r = new Random(11);
        int[] blockSizes = {32, 16, 8, 64, 7, 1, 33, 1024};
        for (int trial = 0; trial < 160; trial++) {
            ElementFormat elem = ELEMS[trial % ELEMS.length];
            ScaleMode mode = ScaleMode.values()[(trial / 6) % 4];
            if (elem == ElementFormat.INT8 && mode == ScaleMode.EVEN) mode = ScaleMode.RCEIL;
            int rows = r.nextInt(9) + (trial % 10 == 0 ? 0 : 1);
            int cols = r.nextInt(150);
            int bs = blockSizes[r.nextInt(blockSizes.length)];
            int axis = r.nextInt(4) == 0 ? 0 : -1;
            RandomStream random = r.nextInt(4) == 0 ? new RandomStream(r.nextLong(), r.nextInt(100), r.nextInt(2)) : null;
            float[] x = input(r, rows * cols);
            int nb = axis == 0 ? (rows + bs - 1) / bs * cols : rows * ((cols + bs - 1) / bs);
            String what = elem + " " + mode + " " + rows + "x" + cols + " block " + bs + " axis " + axis + " sr " + (random != null);

            byte[] s0 = new byte[nb], c0 = new byte[x.length], m0 = new byte[x.length];
            float[] d0 = new float[x.length];
            long n0 = REFERENCE.quantizeMx(elem, bs, axis, mode, random, x, rows, cols, s0, c0, d0, m0);
            for (MxKernels k : FAST) {
                byte[] s1 = new byte[nb], c1 = new byte[x.length], m1 = new byte[x.length];
                float[] d1 = new float[x.length];
                long n1 = k.quantizeMx(elem, bs, axis, mode, random, x, rows, cols, s1, c1, d1, m1);
                assertArrayEquals(s0, s1, what);
                assertArrayEquals(c0, c1, what);
                assertArrayEquals(m0, m1, what);
                assertBits(d0, d1, what);
                assertEquals(n0, n1, what);
                // fake quantization: no codes kept
                float[] d2 = new float[x.length];
                k.quantizeMx(elem, bs, axis, mode, random, x, rows, cols, new byte[nb], null, d2, null);
                assertBits(d0, d2, what + " (no codes)");
                float[] d3 = new float[x.length];
                k.dequantizeMx(elem, bs, axis, s0, c0, rows, cols, d3);
                assertBits(d0, d3, what + " (dequantize)");
            }
        }
    }

    @Test
    void scaledMatchesScalarOnEveryThreadCount() {
        Random r = new Random(12);
        for (int trial = 0; trial < 80; trial++) {
            ElementFormat sf = trial % 2 == 0 ? ElementFormat.UE4M3 : ElementFormat.UE5M3;
            boolean tile = (trial / 2) % 2 == 1;
            int rows = tile ? 16 * (r.nextInt(3) + 1) : r.nextInt(9) + 1;
            int cols = tile ? 16 * r.nextInt(5) : r.nextInt(100);
            RandomStream random = r.nextInt(3) == 0 ? new RandomStream(r.nextLong(), 0, 1) : null;
            float[] x = input(r, rows * cols);
            if (r.nextInt(3) > 0) for (int i = 0; i < x.length; i++) if (!Float.isFinite(x[i])) x[i] = 1f;
            int nb = rows * ((cols + 15) / 16);
            String what = sf + " tile16 " + tile + " " + rows + "x" + cols + " sr " + (random != null);
            byte[] s0 = new byte[nb], c0 = new byte[x.length], m0 = new byte[x.length];
            float[] d0 = new float[x.length], t0 = new float[1];
            long n0 = REFERENCE.quantizeScaled(sf, tile, random, x, rows, cols, s0, c0, d0, m0, t0);
            for (MxKernels k : FAST) {
                byte[] s1 = new byte[nb], c1 = new byte[x.length], m1 = new byte[x.length];
                float[] d1 = new float[x.length], t1 = new float[1];
                long n1 = k.quantizeScaled(sf, tile, random, x, rows, cols, s1, c1, d1, m1, t1);
                assertArrayEquals(s0, s1, what);
                assertArrayEquals(c0, c1, what);
                assertArrayEquals(m0, m1, what);
                assertBits(d0, d1, what);
                assertBits(t0, t1, what);
                assertEquals(n0, n1, what);
                float[] d2 = new float[x.length];
                k.quantizeScaled(sf, tile, random, x, rows, cols, new byte[nb], null, d2, null, new float[1]);
                assertBits(d0, d2, what + " (no codes)");
            }
        }
    }

    @Test
    void largeTensorSplitAcrossThreadsChangesNoBit() {
        Random r = new Random(13);
        int rows = 64, cols = 4096;
        float[] x = input(r, rows * cols);
        for (int i = 0; i < x.length; i++) if (!Float.isFinite(x[i])) x[i] = 0.5f;
        byte[] s0 = new byte[rows * cols / 32], c0 = new byte[x.length];
        REFERENCE.quantizeMx(ElementFormat.E2M1, 32, -1, ScaleMode.FLOOR, null, x, rows, cols, s0, c0, null, null);
        for (int threads : new int[] {1, 2, 3, 7}) {
            VectorMx k = new VectorMx(threads, 1 << 12);
            byte[] s1 = new byte[s0.length], c1 = new byte[x.length];
            k.quantizeMx(ElementFormat.E2M1, 32, -1, ScaleMode.FLOOR, null, x, rows, cols, s1, c1, null, null);
            assertArrayEquals(s0, s1, "threads " + threads);
            assertArrayEquals(c0, c1, "threads " + threads);
        }
    }

    /**
     * The fast block-scale cast against ScalarCodec on every code's value, every midpoint
     * between neighbouring codes (the ties) and their neighbours, zero, maxFinite, and random
     * bit patterns in [0, maxFinite].
     */
    @Test
    void scaleCodeMatchesScalarCodec() {
        Random r = new Random(14);
        for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
            VectorMx.Minifloat cast = VectorMx.scaleCast(sf);
            int maxBits = Float.floatToRawIntBits(sf.maxFinite());
            java.util.List<Float> probes = new java.util.ArrayList<>();
            for (int c = 0; c < 0xFE; c++) {
                float lo = ScalarCodec.decode(sf, c), hi = ScalarCodec.decode(sf, c + 1);
                float mid = (lo + hi) / 2;   // exact: one bit more than the format keeps
                for (float v : new float[] {lo, hi, mid}) {
                    int b = Float.floatToRawIntBits(v);
                    for (int k = -2; k <= 2; k++) probes.add(Float.intBitsToFloat(b + k));
                }
            }
            for (int k = 0; k < 200_000; k++) probes.add(Float.intBitsToFloat(r.nextInt(maxBits + 1)));
            probes.add(0f);
            probes.add(Float.MIN_VALUE);
            for (float d : probes) {
                int bits = Float.floatToRawIntBits(d);
                if (bits < 0 || bits > maxBits) continue;
                assertEquals(ScalarCodec.encode(sf, d, false), VectorMx.scaleCode(cast, d), sf + " " + d);
            }
        }
    }

    /**
     * MXFP4's encoder against ScalarCodec.encode(E2M1, x, e, RNE, saturating) for every scale
     * exponent it takes: every E2M1 magnitude, every midpoint between neighbours (the ties) and
     * 6.5 and 8, each and their 3 float32 neighbours either side, times 2^e, both signs; subnormal
     * x, zeros, the largest finite; and random bit patterns, including ones near 2^e's range.
     * Finite x only: a block holding NaN or Inf never reaches the vector encoders.
     */
    @Test
    void e2m1EncoderMatchesScalarCodec() {
        Random r = new Random(15);
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        org.junit.jupiter.api.Assumptions.assumeTrue(lanes >= 8, "encodeE2M1 runs only where L >= 8");
        float[] grid = {0, 0.25f, 0.5f, 0.75f, 1, 1.25f, 1.5f, 1.75f, 2, 2.5f, 3, 3.5f, 4, 5, 6, 6.5f, 8};
        for (int e = VectorMx.E2M1_MIN_EXPONENT; e <= 127; e++) {
            java.util.List<Float> probes = new java.util.ArrayList<>();
            for (float g : grid) {
                int b = Float.floatToRawIntBits((float) Math.scalb((double) g, e));   // exact, or 0 / Inf out of range
                for (int k = -3; k <= 3; k++) if (b + k >= 0 && b + k < 0x7F800000) probes.add(Float.intBitsToFloat(b + k));
            }
            probes.add(Float.MIN_VALUE);
            probes.add(Float.MAX_VALUE);
            for (int k = 0; k < 64; k++) probes.add(Float.intBitsToFloat(r.nextInt(0x00800000)));   // subnormal x
            for (int k = 0; k < 256; k++) probes.add(Float.intBitsToFloat(r.nextInt(0x7F800000)));
            for (int k = 0; k < 256; k++) {   // within 2^-4 .. 2^4 of the scale
                int exp = Math.max(0, Math.min(254, e + 127 + r.nextInt(9) - 4));
                probes.add(Float.intBitsToFloat(exp << 23 | r.nextInt(0x00800000)));
            }
            int n = (2 * probes.size() + lanes - 1) / lanes * lanes;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                float v = probes.get((i / 2) % probes.size());
                x[i] = i % 2 == 0 ? v : -v;
            }
            byte[] codes = new byte[n], clips = new byte[n];
            float bound = ScalarMx.saturationBound(ElementFormat.E2M1, e);
            int expectedClips = 0;
            int clipsCounted = VectorMx.encodeE2M1(x, 0, n, e, codes, 0, clips);
            for (int i = 0; i < n; i++) {
                String what = "e " + e + " x " + x[i] + " (" + Integer.toHexString(Float.floatToRawIntBits(x[i])) + ")";
                assertEquals(ScalarCodec.encode(ElementFormat.E2M1, x[i], e, true, false, 0), codes[i] & 0xFF, what);
                boolean clipped = Math.abs(x[i]) > bound;
                assertEquals(clipped ? 1 : 0, clips[i], what);
                if (clipped) expectedClips++;
            }
            assertEquals(expectedClips, clipsCounted, "e " + e);
        }
    }

    /**
     * MXFP4 through quantizeMx with each block at its own magnitude, from all-zero and subnormal
     * blocks (scale exponent -127, the general path) through every binade to 2^127 (exponents
     * 125..127 in the rounding modes), in every scale mode, codes kept or not.
     */
    @Test
    void mxfp4BlocksAtEveryMagnitudeMatchScalar() {
        Random r = new Random(16);
        int rows = 3, cols = 32 * 100 + 24;
        for (ScaleMode mode : ScaleMode.values()) {
            float[] x = new float[rows * cols];
            for (int b = 0; b < x.length / 32 + 1; b++) {
                int top = r.nextInt(280) - 152;   // binade of the block's largest elements
                for (int i = b * 32; i < Math.min(x.length, b * 32 + 32); i++) {
                    int exp = Math.max(0, Math.min(254, top + 127 - r.nextInt(6)));
                    int bits = r.nextInt(8) == 0 ? 0 : exp << 23 | (r.nextBoolean() ? r.nextInt(0x00800000) : r.nextInt(4) << 21);
                    x[i] = Float.intBitsToFloat(bits | (r.nextBoolean() ? 0x80000000 : 0));
                }
            }
            int nb = rows * ((cols + 31) / 32);
            byte[] s0 = new byte[nb], c0 = new byte[x.length], m0 = new byte[x.length];
            float[] d0 = new float[x.length];
            long n0 = REFERENCE.quantizeMx(ElementFormat.E2M1, 32, -1, mode, null, x, rows, cols, s0, c0, d0, m0);
            for (MxKernels k : FAST) {
                byte[] s1 = new byte[nb], c1 = new byte[x.length], m1 = new byte[x.length];
                float[] d1 = new float[x.length], d2 = new float[x.length];
                long n1 = k.quantizeMx(ElementFormat.E2M1, 32, -1, mode, null, x, rows, cols, s1, c1, d1, m1);
                assertArrayEquals(s0, s1, mode.toString());
                assertArrayEquals(c0, c1, mode.toString());
                assertArrayEquals(m0, m1, mode.toString());
                assertBits(d0, d1, mode.toString());
                assertEquals(n0, n1, mode.toString());
                k.quantizeMx(ElementFormat.E2M1, 32, -1, mode, null, x, rows, cols, new byte[nb], null, d2, null);
                assertBits(d0, d2, mode + " (no codes)");
            }
        }
    }

    /**
     * The packed MXFP4 path (what Quantizer.quantize runs) against the reference's codes packed by
     * MxPacking: every scale mode, RNE and SR, both axes, even and odd block sizes and shapes
     * (short last blocks, odd rows), NaN/Inf/subnormal/zero blocks, 1-7 threads. Output bytes
     * past the packed length and a prefilled garbage pattern check that every byte is written.
     */
    @Test
    void mxfp4PackedMatchesPackedReference() {
        Random r = new Random(17);
        int[] blockSizes = {32, 16, 64, 8, 48, 7, 1, 33};
        for (int trial = 0; trial < 200; trial++) {
            ScaleMode mode = ScaleMode.values()[trial % 4];
            int rows = r.nextInt(6) + (trial % 20 == 0 ? 0 : 1);
            int cols = trial % 5 == 0 ? 32 * r.nextInt(6) : r.nextInt(200);
            int bs = blockSizes[r.nextInt(blockSizes.length)];
            int axis = r.nextInt(5) == 0 ? 0 : -1;
            RandomStream random = r.nextInt(5) == 0 ? new RandomStream(r.nextLong(), r.nextInt(100), r.nextInt(2)) : null;
            float[] x = input(r, rows * cols);
            if (trial % 3 == 0) {   // whole blocks of zeros and of tiny values (the fallback's exponents)
                for (int i = 0; i < x.length; i++) if ((i / 32) % 4 == 1) x[i] = (i / 32) % 8 == 1 ? 0f : Float.MIN_VALUE * i;
            }
            int nb = axis == 0 ? (rows + bs - 1) / bs * cols : rows * ((cols + bs - 1) / bs);
            String what = "mxfp4 " + mode + " " + rows + "x" + cols + " block " + bs + " axis " + axis + " sr " + (random != null);
            byte[] s0 = new byte[nb], c0 = new byte[x.length];
            REFERENCE.quantizeMx(ElementFormat.E2M1, bs, axis, mode, random, x, rows, cols, s0, c0, null, null);
            byte[] p0 = io.lowbit.mx.MxPacking.pack(4, false, c0, rows, cols);
            for (MxKernels k : FAST) {
                byte[] s1 = new byte[nb], p1 = new byte[p0.length + 3];
                Arrays.fill(p1, (byte) 0x5A);
                k.quantizeMxfp4Packed(bs, axis, mode, random, x, rows, cols, s1, p1);
                assertArrayEquals(s0, s1, what);
                assertArrayEquals(p0, Arrays.copyOf(p1, p0.length), what);
                for (int i = p0.length; i < p1.length; i++) assertEquals((byte) 0x5A, p1[i], what + " wrote past the end");
            }
        }
    }

    /** MXFP4 blocks at every magnitude (see mxfp4BlocksAtEveryMagnitudeMatchScalar) through the packed path. */
    @Test
    void mxfp4PackedAtEveryMagnitudeMatchesPackedReference() {
        Random r = new Random(18);
        int rows = 3, cols = 32 * 50 + 25;
        for (ScaleMode mode : ScaleMode.values()) {
            float[] x = new float[rows * cols];
            for (int b = 0; b < x.length / 32 + 1; b++) {
                int top = r.nextInt(280) - 152;
                for (int i = b * 32; i < Math.min(x.length, b * 32 + 32); i++) {
                    int exp = Math.max(0, Math.min(254, top + 127 - r.nextInt(6)));
                    int bits = r.nextInt(8) == 0 ? 0 : exp << 23 | (r.nextBoolean() ? r.nextInt(0x00800000) : r.nextInt(4) << 21);
                    x[i] = Float.intBitsToFloat(bits | (r.nextBoolean() ? 0x80000000 : 0));
                }
            }
            int nb = rows * ((cols + 31) / 32);
            byte[] s0 = new byte[nb], c0 = new byte[x.length];
            REFERENCE.quantizeMx(ElementFormat.E2M1, 32, -1, mode, null, x, rows, cols, s0, c0, null, null);
            byte[] p0 = io.lowbit.mx.MxPacking.pack(4, false, c0, rows, cols);
            for (MxKernels k : FAST) {
                byte[] s1 = new byte[nb], p1 = new byte[p0.length];
                k.quantizeMxfp4Packed(32, -1, mode, null, x, rows, cols, s1, p1);
                assertArrayEquals(s0, s1, mode.toString());
                assertArrayEquals(p0, p1, mode.toString());
            }
        }
    }

    /** 1x16 blocks (RNE) of every fast kernel: the reference's scales and its codes packed by MxPacking. */
    private static void assertScaledPackedMatchesReference(ElementFormat sf, float[] x, int rows, int cols, String what) {
        int nb = rows * ((cols + 15) / 16);
        byte[] s0 = new byte[nb], c0 = new byte[x.length];
        REFERENCE.quantizeScaled(sf, false, null, x, rows, cols, s0, c0, null, null, new float[1]);
        byte[] p0 = io.lowbit.mx.MxPacking.pack(4, false, c0, rows, cols);
        for (MxKernels k : FAST) {
            byte[] s1 = new byte[nb], p1 = new byte[p0.length];
            k.quantizeScaledPacked(sf, false, null, x, rows, cols, s1, p1, new float[1]);
            assertArrayEquals(s0, s1, what);
            assertArrayEquals(p0, p1, what);
        }
    }

    /**
     * Long rows through the packed MXFP4 path: runs of codes longer than its scratch (flushed
     * part-way along a row), tasks that start and end inside a row, and fallback blocks (NaN,
     * zeros, a short last block) between fast ones, for block sizes 8 to 1024. NVFP4 and UE5M3
     * (1x16) on the same rows without the NaN (a NaN tensor has no blocks to speak of).
     */
    @Test
    void mxfp4PackedLongRowsMatchPackedReference() {
        Random r = new Random(19);
        for (int bs : new int[] {8, 32, 96, 1024}) {
            int rows = 3, cols = bs * (9000 / bs) + bs / 2;
            float[] x = new float[rows * cols];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.exp(r.nextInt(20) - 10));
            for (int row = 0; row < rows; row++) {   // a NaN block and a zero block in every row
                int nanBlock = r.nextInt(cols / bs), zeroBlock = r.nextInt(cols / bs);
                x[row * cols + nanBlock * bs + r.nextInt(bs)] = Float.NaN;
                Arrays.fill(x, row * cols + zeroBlock * bs, row * cols + zeroBlock * bs + bs, 0f);
            }
            int nb = rows * ((cols + bs - 1) / bs);
            byte[] s0 = new byte[nb], c0 = new byte[x.length];
            REFERENCE.quantizeMx(ElementFormat.E2M1, bs, -1, ScaleMode.FLOOR, null, x, rows, cols, s0, c0, null, null);
            byte[] p0 = io.lowbit.mx.MxPacking.pack(4, false, c0, rows, cols);
            for (MxKernels k : FAST) {
                byte[] s1 = new byte[nb], p1 = new byte[p0.length];
                k.quantizeMxfp4Packed(bs, -1, ScaleMode.FLOOR, null, x, rows, cols, s1, p1);
                assertArrayEquals(s0, s1, "block " + bs);
                assertArrayEquals(p0, p1, "block " + bs);
            }
            for (int i = 0; i < x.length; i++) if (Float.isNaN(x[i])) x[i] = 3f;
            for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
                assertScaledPackedMatchesReference(sf, x, rows, cols, sf + " cols " + cols);
            }
        }
    }

    /**
     * The packed scaled path (NVFP4 / UE5M3) against the reference's codes packed by MxPacking:
     * tiles 1x16 and 16x16, RNE and SR, odd shapes, NaN/Inf tensors, 1-7 threads; plus tensors
     * scaled so that the block scales reach their subnormals and their maximum, and products
     * overflow (|x| near FLT_MAX) or underflow.
     */
    @Test
    void scaledPackedMatchesPackedReference() {
        Random r = new Random(19);
        for (int trial = 0; trial < 120; trial++) {
            ElementFormat sf = trial % 2 == 0 ? ElementFormat.UE4M3 : ElementFormat.UE5M3;
            boolean tile = (trial / 2) % 3 == 1;
            int rows = tile ? 16 * (r.nextInt(3) + 1) : r.nextInt(9) + (trial % 15 == 0 ? 0 : 1);
            int cols = tile ? 16 * r.nextInt(5) : (trial % 4 == 0 ? 16 * r.nextInt(8) : r.nextInt(120));
            RandomStream random = r.nextInt(4) == 0 ? new RandomStream(r.nextLong(), 0, 1) : null;
            float[] x = input(r, rows * cols);
            if (r.nextInt(4) > 0) for (int i = 0; i < x.length; i++) if (!Float.isFinite(x[i])) x[i] = 1f;
            if (trial % 6 == 3 && x.length > 0) {   // a wide range: tiny blocks get subnormal or zero scales
                for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * Math.scalb(1.0, -(i / 16) % 40));
            }
            if (trial % 6 == 5 && x.length > 0) {   // huge: amaxT near FLT_MAX, then a tiny tensor
                for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * (trial % 12 == 5 ? 1e37 : 1e-40));
            }
            int nb = rows * ((cols + 15) / 16);
            String what = sf + " tile16 " + tile + " " + rows + "x" + cols + " sr " + (random != null) + " trial " + trial;
            byte[] s0 = new byte[nb], c0 = new byte[x.length];
            float[] t0 = new float[1];
            REFERENCE.quantizeScaled(sf, tile, random, x, rows, cols, s0, c0, null, null, t0);
            byte[] p0 = io.lowbit.mx.MxPacking.pack(4, false, c0, rows, cols);
            for (MxKernels k : FAST) {
                byte[] s1 = new byte[nb], p1 = new byte[p0.length + 3];
                Arrays.fill(p1, (byte) 0x5A);
                float[] t1 = new float[1];
                k.quantizeScaledPacked(sf, tile, random, x, rows, cols, s1, p1, t1);
                assertArrayEquals(s0, s1, what);
                assertArrayEquals(p0, Arrays.copyOf(p1, p0.length), what);
                for (int i = p0.length; i < p1.length; i++) assertEquals((byte) 0x5A, p1[i], what + " wrote past the end");
                assertBits(t0, t1, what);
            }
        }
    }

    /**
     * The scaled E2M1 element code on the rounded product: for each encB from a spread of scale
     * codes and tensor scales, products at every E2M1 value, tie and their float32 neighbours,
     * past 6, overflowing to Inf, and subnormal, through the packed kernel on 1x16 rows whose first
     * element fixes the block amax (and so encB).
     */
    @Test
    void scaledPackedEncoderAtTiesMatchesReference() {
        Random r = new Random(20);
        float[] grid = {0, 0.25f, 0.5f, 0.75f, 1, 1.25f, 1.5f, 1.75f, 2, 2.5f, 3, 3.5f, 4, 5, 6, 6.5f, 8};
        for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
            int rows = 400, cols = 16 * 8;
            float[] x = new float[rows * cols];
            for (int row = 0; row < rows; row++) {
                for (int b = 0; b < 8; b++) {
                    int first = row * cols + b * 16;
                    float amax = (float) Math.scalb(1.0 + r.nextInt(64) / 64.0, r.nextInt(60) - 30);
                    x[first] = r.nextBoolean() ? amax : -amax;
                    // step = the block's element unit amax/6 (near 1/encB): grid points times it, nudged
                    for (int i = 1; i < 16; i++) {
                        float v = grid[r.nextInt(grid.length)] * amax / 6f;
                        int bits = Float.floatToRawIntBits(v) + r.nextInt(7) - 3;
                        v = bits < 0 ? 0f : Float.intBitsToFloat(bits);
                        x[first + i] = Math.min(v, amax) * (r.nextBoolean() ? 1 : -1);
                    }
                }
            }
            x[5] = 3e38f;   // amaxT near FLT_MAX in the first half of the trials below
            for (int variant = 0; variant < 2; variant++) {
                if (variant == 1) x[5] = 0.1f;
                assertScaledPackedMatchesReference(sf, x, rows, cols, sf + " variant " + variant);
            }
        }
    }

    static void assertBits(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]),
                        what + " element " + i + ": " + a[i] + " vs " + b[i] + " " + Arrays.toString(Arrays.copyOfRange(a, Math.max(0, i - 2), Math.min(a.length, i + 3))));
            }
        }
    }
}
