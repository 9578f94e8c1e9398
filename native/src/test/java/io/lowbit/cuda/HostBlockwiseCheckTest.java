package io.lowbit.cuda;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.LionScalars;
import io.lowbit.backend.SgdScalars;
import io.lowbit.backend.scalar.ScalarBlockwise;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blockwise kernels' code (lowbit_blockwise*.cuh) run on the CPU vs ScalarBlockwise, bit for
 * bit: quantize and dequantize (8-bit and 4-bit packed), and several steps of every optimizer
 * (AdamW 8/4/32-bit, SGD and Lion 8/32-bit), over block sizes 1..4096, partial last blocks (a lone
 * last nibble), block sub-ranges, zero blocks, NaN/Inf inputs and gradients.
 * Floats are compared by bits, any NaN matching any NaN (docs/vector-format.md).
 */
class HostBlockwiseCheckTest {
    private static final Codebook[] BOOKS = {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4,
            Codebook.LINEAR4};
    private static final Codebook[] BOOKS_4 = {Codebook.NF4, Codebook.FP4, Codebook.LINEAR4, Codebook.DYNAMIC_SIGNED_4};
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
                    compareQuantize(rnd, book, false, blockSize, x, n, 0, blocks, what);
                    if (blocks > 2) compareQuantize(rnd, book, false, blockSize, x, n, 1, blocks - 1, what + " blocks [1, " + (blocks - 1) + ")");
                }
            }
        }
    }

    @Test
    void midpointsTieToTheLowerCodeAndNeighboursSplit() {
        // a block whose absmax is 1 (divisor 1: v = x exactly) holding every midpoint, its float
        // neighbours and every codebook value: the ties of 7.2 and both sides of each boundary
        for (Codebook book : new Codebook[] {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4, Codebook.FP4}) {
            float[] mid = book.midpointsUnsafe(), val = book.valuesUnsafe();
            float[] x = new float[3 * mid.length + val.length + 2];
            int k = 0;
            for (float m : mid) {
                x[k++] = m;
                x[k++] = Math.nextDown(m);
                x[k++] = Math.nextUp(m);
            }
            for (float v : val) x[k++] = v;
            x[k++] = 1f;
            x[k] = -1f;
            int n = x.length;
            float[] wa = new float[1], ga = new float[1];
            byte[] wc = new byte[n], gc = new byte[n];
            scalar.quantize(book, n, x, n, wa, wc, 0, 1);
            LowbitCuda.lb_host_bw_quantize(book.valuesUnsafe(), mid, mid.length, 0, n, x, n, ga, gc, 0, 1);
            assertEquals(1f, wa[0]);
            assertArrayEquals(wc, gc, book.name() + " codes at midpoints");
            for (int j = 0; j < mid.length; j++) assertEquals(j, gc[3 * j] & 0xFF, book.name() + " midpoint " + j + " ties low");
        }
    }

    @Test
    void packedQuantizeAndDequantizeMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(72);
        for (Codebook book : BOOKS_4) {
            for (int blockSize : new int[] {2, 64, 256, 4096}) {
                for (int n : new int[] {0, 1, 3, blockSize, 3 * blockSize + blockSize / 2 + 1, 5001}) {
                    float[] x = inputs(rnd, n, blockSize);
                    int blocks = ceilDiv(n, blockSize);
                    String what = book.name() + " 4-bit block " + blockSize + " n=" + n;
                    compareQuantize(rnd, book, true, blockSize, x, n, 0, blocks, what);
                    if (blocks > 2) compareQuantize(rnd, book, true, blockSize, x, n, 1, blocks - 1, what + " blocks [1, " + (blocks - 1) + ")");
                }
            }
        }
    }

    private void compareQuantize(SplittableRandom rnd, Codebook book, boolean packed, int blockSize, float[] x, int n,
                                 int from, int to, String what) {
        int blocks = ceilDiv(n, blockSize), bytes = packed ? (n + 1) / 2 : n;
        float[] wa = new float[blocks], ga = new float[blocks];
        byte[] wc = new byte[bytes];
        for (int i = 0; i < bytes; i++) wc[i] = (byte) rnd.nextInt();  // untouched bytes and nibbles must stay
        byte[] gc = wc.clone();
        if (packed) scalar.quantize4(book, blockSize, x, n, wa, wc, from, to);
        else scalar.quantize(book, blockSize, x, n, wa, wc, from, to);
        LowbitCuda.lb_host_bw_quantize(book.valuesUnsafe(), book.midpointsUnsafe(), book.size() - 1, flag(packed), blockSize,
                x, n, ga, gc, from, to);
        assertArrayEquals(bits(wa), bits(ga), what + " absmax");
        assertArrayEquals(wc, gc, what + " codes");
        float[] wo = new float[n], go = new float[n];
        if (packed) scalar.dequantize4(book, blockSize, wc, wa, n, wo, from, to);
        else scalar.dequantize(book, blockSize, wc, wa, n, wo, from, to);
        LowbitCuda.lb_host_bw_dequantize(book.valuesUnsafe(), flag(packed), blockSize, wc, wa, n, go, from, to);
        assertArrayEquals(bits(wo), bits(go), what + " dequantize");
    }

    /** One optimizer of the interface: its rule id, scalars at step t, codebooks, packing. */
    private record Rule(String name, int kind, boolean packed, Codebook book0, Codebook book1) {
        float[] scalars(int t) {
            return switch (kind) {
                case CudaBlockwise.ADAMW -> CudaBlockwise.scalars(adamw(t));
                case CudaBlockwise.SGD -> CudaBlockwise.scalars(sgd(t));
                default -> CudaBlockwise.scalars(lion(t));
            };
        }

        AdamWScalars adamw(int t) { return AdamWScalars.of(1e-3 * t, 0.9, 0.999, 1e-8, 0.01, t); }
        SgdScalars sgd(int t) { return new SgdScalars(0.05f * t, 0.9f, 1e-3f); }
        LionScalars lion(int t) { return new LionScalars(1e-3f * t, 0.9f, 0.1f, 0.99f, 0.01f, 0.9999f); }
    }

    private static final Rule[] RULES = {
            new Rule("adamw8", CudaBlockwise.ADAMW, false, Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED),
            new Rule("adamw4", CudaBlockwise.ADAMW, true, Codebook.DYNAMIC_SIGNED_4, Codebook.LINEAR4),
            new Rule("sgd8", CudaBlockwise.SGD, false, Codebook.DYNAMIC_SIGNED, null),
            new Rule("lion8", CudaBlockwise.LION, false, Codebook.DYNAMIC_SIGNED, null)};

    /** The reference's step for a rule (blocks [from, to)). */
    private int referenceStep(Rule r, int t, int blockSize, float[] p, float[] g, byte[] c0, float[] a0, byte[] c1,
                              float[] a1, int n, int from, int to) {
        return switch (r.name) {
            case "adamw8" -> scalar.adamw8(r.adamw(t), r.book0, r.book1, blockSize, p, g, c0, a0, c1, a1, n, from, to);
            case "adamw4" -> scalar.adamw4(r.adamw(t), r.book0, r.book1, blockSize, p, g, c0, a0, c1, a1, n, from, to);
            case "sgd8" -> scalar.sgd8(r.sgd(t), r.book0, blockSize, p, g, c0, a0, n, from, to);
            default -> scalar.lion8(r.lion(t), r.book0, blockSize, p, g, c0, a0, n, from, to);
        };
    }

    private static int hostStep(Rule r, int t, int blockSize, float[] p, float[] g, byte[] c0, float[] a0, byte[] c1,
                                float[] a1, int n, int from, int to) {
        Codebook b1 = r.book1;
        return LowbitCuda.lb_host_opt_blocks(r.kind, r.scalars(t), flag(r.packed), r.book0.valuesUnsafe(),
                r.book0.midpointsUnsafe(), r.book0.size() - 1, b1 == null ? null : b1.valuesUnsafe(),
                b1 == null ? null : b1.midpointsUnsafe(), b1 == null ? 0 : b1.size() - 1, blockSize, p, g, c0, a0,
                b1 == null ? null : c1, b1 == null ? null : a1, n, from, to);
    }

    private int referenceStep32(Rule r, int t, float[] p, float[] g, float[] s0, float[] s1, int from, int to) {
        return switch (r.kind) {
            case CudaBlockwise.ADAMW -> scalar.adamw32(r.adamw(t), p, g, s0, s1, from, to);
            case CudaBlockwise.SGD -> scalar.sgd32(r.sgd(t), p, g, s0, from, to);
            default -> scalar.lion32(r.lion(t), p, g, s0, from, to);
        };
    }

    @Test
    void optimizerStepsMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(5);
        int steps = 4;
        for (Rule rule : RULES) {
            for (int blockSize : new int[] {64, 256, 4096, rule.packed ? 6 : 7}) {
                for (int n : new int[] {1, 2 * blockSize + 5, 9001}) {
                    int blocks = ceilDiv(n, blockSize), bytes = rule.packed ? (n + 1) / 2 : n;
                    float[] p0 = inputs(rnd, n, Integer.MAX_VALUE);
                    for (int i = 0; i < n; i++) if (!Float.isFinite(p0[i])) p0[i] = 0.5f;
                    // reference state (w*) and kernel-code state (g*), both from the same start
                    float[] wp = p0.clone(), gp = p0.clone(), wp32 = p0.clone(), gp32 = p0.clone();
                    byte[] wc0 = new byte[bytes], wc1 = new byte[bytes], gc0 = new byte[bytes], gc1 = new byte[bytes];
                    float[] wa0 = new float[blocks], wa1 = new float[blocks], ga0 = new float[blocks], ga1 = new float[blocks];
                    float[] ws0 = new float[n], ws1 = new float[n], gs0 = new float[n], gs1 = new float[n];
                    for (int t = 1; t <= steps; t++) {
                        float[] g = gradients(rnd, n, t);
                        String what = rule.name + " block " + blockSize + " n=" + n + " step " + t;
                        assertEquals(referenceStep(rule, t, blockSize, wp, g, wc0, wa0, wc1, wa1, n, 0, blocks),
                                hostStep(rule, t, blockSize, gp, g, gc0, ga0, gc1, ga1, n, 0, blocks), what + " non-finite count");
                        assertArrayEquals(bits(wp), bits(gp), what + " p");
                        assertArrayEquals(wc0, gc0, what + " state 0 codes");
                        assertArrayEquals(bits(wa0), bits(ga0), what + " state 0 absmax");
                        assertArrayEquals(wc1, gc1, what + " state 1 codes");
                        assertArrayEquals(bits(wa1), bits(ga1), what + " state 1 absmax");
                        if (rule.packed) continue;  // the 32-bit variants once per rule
                        assertEquals(referenceStep32(rule, t, wp32, g, ws0, ws1, 0, n),
                                LowbitCuda.lb_host_opt32(rule.kind, rule.scalars(t), gp32, g, gs0,
                                        rule.book1 == null ? null : gs1, 0, n), what + " 32-bit non-finite count");
                        assertArrayEquals(bits(wp32), bits(gp32), what + " 32-bit p");
                        assertArrayEquals(bits(ws0), bits(gs0), what + " 32-bit state 0");
                        assertArrayEquals(bits(ws1), bits(gs1), what + " 32-bit state 1");
                    }
                    // the states really moved (the comparison is not between two untouched arrays)
                    assertTrue(anyNonZero(wa0), rule.name + " absmax after " + steps + " steps");
                }
            }
            // a sub-range of blocks leaves the rest untouched, as the reference does
            int n = 1001, blockSize = 64, blocks = ceilDiv(n, blockSize), bytes = rule.packed ? (n + 1) / 2 : n;
            float[] wp = inputs(rnd, n, Integer.MAX_VALUE), gp = wp.clone(), g = gradients(rnd, n, 1);
            byte[] wc0 = new byte[bytes], wc1 = new byte[bytes];
            for (int i = 0; i < bytes; i++) wc0[i] = wc1[i] = (byte) rnd.nextInt();
            byte[] gc0 = wc0.clone(), gc1 = wc1.clone();
            float[] wa0 = new float[blocks], wa1 = new float[blocks];
            Arrays.fill(wa0, 0.25f);
            Arrays.fill(wa1, 0.5f);
            float[] ga0 = wa0.clone(), ga1 = wa1.clone();
            assertEquals(referenceStep(rule, 1, blockSize, wp, g, wc0, wa0, wc1, wa1, n, 3, blocks),
                    hostStep(rule, 1, blockSize, gp, g, gc0, ga0, gc1, ga1, n, 3, blocks), rule.name + " sub-range count");
            assertArrayEquals(bits(wp), bits(gp), rule.name + " sub-range p");
            assertArrayEquals(wc0, gc0, rule.name + " sub-range codes");
            assertArrayEquals(bits(wa0), bits(ga0), rule.name + " sub-range absmax");
            assertArrayEquals(wc1, gc1, rule.name + " sub-range state 1 codes");
        }
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

    private static int flag(boolean b) { return b ? 1 : 0; }

    static int ceilDiv(int a, int b) { return a / b + (a % b == 0 ? 0 : 1); }
}
