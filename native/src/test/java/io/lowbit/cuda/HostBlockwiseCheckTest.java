package io.lowbit.cuda;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.scalar.ScalarBlockwise;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blockwise kernels' code (lowbit_blockwise*.cuh) run on the CPU vs ScalarBlockwise, bit for
 * bit: quantize, dequantize, and several fused AdamW steps (8-bit and 32-bit), over block sizes
 * 1..4096, partial last blocks, block sub-ranges, zero blocks, NaN/Inf inputs and gradients.
 * Floats are compared by bits, any NaN matching any NaN (docs/vector-format.md).
 */
class HostBlockwiseCheckTest {
    private static final Codebook[] BOOKS = {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4,
            Codebook.LINEAR4};
    private static final int[] BLOCKS = {1, 7, 64, 256, 2048, 4096};
    private final ScalarBlockwise scalar = new ScalarBlockwise();

    @BeforeEach
    void library() { NativeTestSupport.assumeLibrary(); }

    @Test
    void quantizeAndDequantizeMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(71);
        for (Codebook book : BOOKS) {
            for (int blockSize : BLOCKS) {
                for (int n : new int[] {0, 1, blockSize, 3 * blockSize + blockSize / 2 + 1, 5000}) {
                    float[] x = inputs(rnd, n, blockSize);
                    int blocks = ceilDiv(n, blockSize);
                    String what = book.name() + " block " + blockSize + " n=" + n;
                    compareQuantize(book, blockSize, x, n, 0, blocks, what);
                    if (blocks > 2) compareQuantize(book, blockSize, x, n, 1, blocks - 1, what + " blocks [1, " + (blocks - 1) + ")");
                }
            }
        }
    }

    private void compareQuantize(Codebook book, int blockSize, float[] x, int n, int from, int to, String what) {
        int blocks = ceilDiv(n, blockSize);
        float[] wa = new float[blocks], ga = new float[blocks];
        byte[] wc = new byte[n], gc = new byte[n];
        scalar.quantize(book, blockSize, x, n, wa, wc, from, to);
        LowbitCuda.lb_host_bw_quantize(book.valuesUnsafe(), book.midpointsUnsafe(), book.size() - 1, blockSize, x, n, ga, gc,
                from, to);
        assertArrayEquals(bits(wa), bits(ga), what + " absmax");
        assertArrayEquals(wc, gc, what + " codes");
        float[] wo = new float[n], go = new float[n];
        scalar.dequantize(book, blockSize, wc, wa, n, wo, from, to);
        LowbitCuda.lb_host_bw_dequantize(book.valuesUnsafe(), blockSize, wc, wa, n, go, from, to);
        assertArrayEquals(bits(wo), bits(go), what + " dequantize");
    }

    @Test
    void adamwStepsMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(5);
        Codebook mBook = Codebook.DYNAMIC_SIGNED, vBook = Codebook.DYNAMIC_UNSIGNED;
        int steps = 4;
        for (int blockSize : new int[] {64, 256, 4096, 7}) {
            for (int n : new int[] {1, 2 * blockSize + 5, 9000}) {
                int blocks = ceilDiv(n, blockSize);
                float[] p0 = inputs(rnd, n, Integer.MAX_VALUE);
                for (int i = 0; i < n; i++) if (!Float.isFinite(p0[i])) p0[i] = 0.5f;
                // reference state (w*) and kernel-code state (g*), both from the same start
                float[] wp = p0.clone(), gp = p0.clone();
                byte[] wmc = new byte[n], wvc = new byte[n];
                float[] wma = new float[blocks], wva = new float[blocks];
                float[] m32 = new float[n], v32 = new float[n], gm32 = new float[n], gv32 = new float[n];
                float[] wp32 = p0.clone(), gp32 = p0.clone();
                byte[] gmc = new byte[n], gvc = new byte[n];
                float[] gma = new float[blocks], gva = new float[blocks];
                for (int t = 1; t <= steps; t++) {
                    float[] g = gradients(rnd, n, t);
                    AdamWScalars s = AdamWScalars.of(1e-3 * t, 0.9, 0.999, 1e-8, 0.01, t);
                    String what = "block " + blockSize + " n=" + n + " step " + t;
                    int wantBad = scalar.adamw8(s, mBook, vBook, blockSize, wp, g, wmc, wma, wvc, wva, n, 0, blocks);
                    int gotBad = LowbitCuda.lb_host_adamw8(CudaBlockwise.scalars(s), mBook.valuesUnsafe(), mBook.midpointsUnsafe(),
                            mBook.size() - 1, vBook.valuesUnsafe(), vBook.midpointsUnsafe(), vBook.size() - 1, blockSize, gp, g,
                            gmc, gma, gvc, gva, n, 0, blocks);
                    assertEquals(wantBad, gotBad, what + " non-finite count");
                    assertArrayEquals(bits(wp), bits(gp), what + " p");
                    assertArrayEquals(wmc, gmc, what + " m codes");
                    assertArrayEquals(wvc, gvc, what + " v codes");
                    assertArrayEquals(bits(wma), bits(gma), what + " m absmax");
                    assertArrayEquals(bits(wva), bits(gva), what + " v absmax");
                    int want32 = scalar.adamw32(s, wp32, g, m32, v32, 0, n);
                    int got32 = LowbitCuda.lb_host_adamw32(CudaBlockwise.scalars(s), gp32, g, gm32, gv32, 0, n);
                    assertEquals(want32, got32, what + " adamw32 non-finite count");
                    assertArrayEquals(bits(wp32), bits(gp32), what + " adamw32 p");
                    assertArrayEquals(bits(m32), bits(gm32), what + " adamw32 m");
                    assertArrayEquals(bits(v32), bits(gv32), what + " adamw32 v");
                }
                // the states really moved (the comparison is not between two untouched arrays)
                assertTrue(anyNonZero(wma), "m absmax after " + steps + " steps");
            }
        }
        // a sub-range of blocks and of elements leaves the rest untouched, as the reference does
        int n = 1000, blockSize = 64, blocks = ceilDiv(n, blockSize);
        float[] wp = inputs(rnd, n, Integer.MAX_VALUE), gp = wp.clone(), g = gradients(rnd, n, 1);
        byte[] wmc = new byte[n], wvc = new byte[n], gmc = new byte[n], gvc = new byte[n];
        float[] wma = new float[blocks], wva = new float[blocks], gma = new float[blocks], gva = new float[blocks];
        AdamWScalars s = AdamWScalars.of(1e-2, 0.9, 0.99, 1e-6, 0.0, 1);
        assertEquals(scalar.adamw8(s, mBook, vBook, blockSize, wp, g, wmc, wma, wvc, wva, n, 3, 11),
                LowbitCuda.lb_host_adamw8(CudaBlockwise.scalars(s), mBook.valuesUnsafe(), mBook.midpointsUnsafe(), 255,
                        vBook.valuesUnsafe(), vBook.midpointsUnsafe(), 255, blockSize, gp, g, gmc, gma, gvc, gva, n, 3, 11));
        assertArrayEquals(bits(wp), bits(gp), "sub-range p");
        assertArrayEquals(wmc, gmc, "sub-range m codes");
        assertArrayEquals(bits(wva), bits(gva), "sub-range v absmax");
    }

    /**
     * Values of varied magnitude with zeros, subnormals and huge values; one block in four is
     * all zeros, and some blocks hold a NaN or an Inf (blockSize bounds where they land).
     */
    static float[] inputs(SplittableRandom rnd, int n, int blockSize) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(200);
            int bits = rnd.nextInt();
            if (k == 0) x[i] = 0f;
            else if (k == 1) x[i] = Float.intBitsToFloat(bits & 0x807FFFFF);          // subnormal
            else if (k == 2) x[i] = rnd.nextBoolean() ? Float.NaN : Float.intBitsToFloat(0x7F800001 | (bits & 0x803FFFFF));
            else if (k == 3) x[i] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            else x[i] = Float.intBitsToFloat((bits & 0x807FFFFF) | ((127 + rnd.nextInt(-30, 10)) << 23));
        }
        if (blockSize < n) {
            for (int b = 0; b * (long) blockSize < n; b += 4) {
                int to = (int) Math.min(n, (long) (b + 1) * blockSize);
                for (int i = b * blockSize; i < to; i++) x[i] = (i & 1) == 0 ? 0f : -0f;
            }
        }
        return x;
    }

    /** Gradients of moderate size, a few NaN/Inf (more at step 2), and some large enough that g*g overflows. */
    private static float[] gradients(SplittableRandom rnd, int n, int step) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(step == 2 ? 20 : 500);
            if (k == 0) g[i] = Float.NaN;
            else if (k == 1) g[i] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            else if (k == 2) g[i] = rnd.nextBoolean() ? 3e20f : -3e20f;
            else g[i] = (float) rnd.nextGaussian() * (float) Math.pow(10, rnd.nextInt(-6, 2));
        }
        return g;
    }

    private static boolean anyNonZero(float[] a) {
        for (float v : a) if (v != 0f) return true;
        return false;
    }

    /** Float bits with every NaN as Float.NaN (NaN payloads are not part of the contract). */
    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToIntBits(v[i]);
        return b;
    }

    static int ceilDiv(int a, int b) { return a / b + (a % b == 0 ? 0 : 1); }
}
