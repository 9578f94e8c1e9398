package io.lowbit.cuda;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.scalar.ScalarMx;
import io.lowbit.mx.ScaleMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The MX kernel's block body (lowbit_mx.cuh) on the CPU vs ScalarMx, bit for bit. */
class HostMxCheckTest {
    private static final ElementFormat[] ELEMENTS = {ElementFormat.E2M1, ElementFormat.E2M3, ElementFormat.E3M2,
            ElementFormat.E4M3, ElementFormat.E5M2, ElementFormat.INT8};
    private static final int[][] SHAPES = {{1, 1}, {3, 37}, {33, 5}, {16, 64}, {7, 100}};
    private static final int[] BLOCKS = {32, 7, 1};

    @BeforeEach
    void library() { NativeTestSupport.assumeLibrary(); }

    @Test
    void quantizeAndDequantizeMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(2024);
        ScalarMx scalar = new ScalarMx();
        RandomStream stream = new RandomStream(77, -3L, 1);
        for (ElementFormat elem : ELEMENTS) {
            for (ScaleMode mode : ScaleMode.values()) {
                if (mode == ScaleMode.EVEN && elem == ElementFormat.INT8) continue;
                for (int[] shape : SHAPES) {
                    int rows = shape[0], cols = shape[1];
                    float[] x = inputs(rnd, rows * cols);
                    for (int blockSize : BLOCKS) {
                        for (int axis : new int[] {-1, 0}) {
                            for (RandomStream random : new RandomStream[] {null, stream}) {
                                String what = elem + " " + mode + " " + rows + "x" + cols + " block " + blockSize + " axis "
                                        + axis + (random == null ? " rne" : " sr");
                                compare(scalar, elem, blockSize, axis, mode, random, x, rows, cols, what);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void compare(ScalarMx scalar, ElementFormat elem, int blockSize, int axis, ScaleMode mode,
                                RandomStream random, float[] x, int rows, int cols, String what) {
        int n = rows * cols;
        int blocks = axis == 0 ? ceilDiv(rows, blockSize) * cols : rows * ceilDiv(cols, blockSize);
        byte[] ws = new byte[blocks], wc = new byte[n], wm = new byte[n];
        float[] wd = new float[n];
        long wantSat = scalar.quantizeMx(elem, blockSize, axis, mode, random, x, rows, cols, ws, wc, wd, wm);
        byte[] gs = new byte[blocks], gc = new byte[n], gm = new byte[n];
        float[] gd = new float[n];
        RandomStream r = random == null ? RandomStream.of(0) : random;
        long gotSat = LowbitCuda.lb_host_mx_quantize(NativeFormats.id(elem), blockSize, axis, NativeFormats.scaleModeId(mode),
                random == null ? 0 : 1, r.seed(), r.offset(), r.stream(), x, rows, cols, gs, gc, gd, gm);
        assertArrayEquals(ws, gs, what + " scales");
        assertArrayEquals(wc, gc, what + " codes");
        assertArrayEquals(bits(wd), bits(gd), what + " dequantized");
        assertArrayEquals(wm, gm, what + " clip mask");
        assertEquals(wantSat, gotSat, what + " saturated count");
        // optional outputs left out (null) change nothing else
        byte[] gs2 = new byte[blocks];
        long sat2 = LowbitCuda.lb_host_mx_quantize(NativeFormats.id(elem), blockSize, axis, NativeFormats.scaleModeId(mode),
                random == null ? 0 : 1, r.seed(), r.offset(), r.stream(), x, rows, cols, gs2, null, null, null);
        assertArrayEquals(ws, gs2, what + " scales without other outputs");
        assertEquals(wantSat, sat2, what + " saturated count without other outputs");
        // dequantization of the codes
        float[] wo = new float[n], go = new float[n];
        scalar.dequantizeMx(elem, blockSize, axis, ws, wc, rows, cols, wo);
        LowbitCuda.lb_host_mx_dequantize(NativeFormats.id(elem), blockSize, axis, ws, wc, rows, cols, go);
        assertArrayEquals(bits(wo), bits(go), what + " dequantizeMx");
    }

    /**
     * Mostly values of moderate, varied magnitude (scales over the whole E8M0 range come from
     * the per-element exponents), with zeros, subnormals, huge values, NaN and Inf sprinkled in
     * so that some blocks are all-zero, NaN-scaled or at the edge of the exponent range.
     */
    private static float[] inputs(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        int regime = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(64);
            int bits = rnd.nextInt();
            if (k == 0) x[i] = 0f;
            else if (k == 1) x[i] = Float.intBitsToFloat(bits & 0x807FFFFF);   // subnormal
            else if (k == 2 && regime == 0) x[i] = Float.NaN;
            else if (k == 3 && regime == 1) x[i] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            else if (k == 4) x[i] = Float.intBitsToFloat((bits & 0x807FFFFF) | (rnd.nextInt(240, 255) << 23));   // huge
            else {
                int e = regime == 2 ? rnd.nextInt(1, 40) : 127 + rnd.nextInt(-20, 20);
                x[i] = Float.intBitsToFloat((bits & 0x807FFFFF) | (e << 23));
            }
        }
        return x;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }

    private static int ceilDiv(int a, int b) { return a / b + (a % b == 0 ? 0 : 1); }
}
