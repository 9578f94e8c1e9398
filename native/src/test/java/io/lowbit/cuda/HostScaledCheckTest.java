package io.lowbit.cuda;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.scalar.ScalarCodec;
import io.lowbit.backend.scalar.ScalarMx;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The scaled-quantization bodies (lowbit_scaled.cuh: tensor amax, encT/decT, per-block scale,
 * elements, dequantization) on the CPU vs ScalarMx.quantizeScaled / dequantizeScaled, bit for
 * bit: UE4M3 and UE5M3 scales, 1x16 and 16x16 tiles, RNE and stochastic, float32 and bfloat16
 * inputs, tensors with NaN, Inf, all zeros, subnormals and wide dynamic range.
 */
class HostScaledCheckTest {
    private static final int[][] SHAPES = {{0, 5}, {1, 1}, {3, 37}, {16, 16}, {32, 48}, {17, 100}, {48, 33}};
    static final int REGIMES = 7;

    @BeforeEach
    void library() { NativeTestSupport.assumeLibrary(); }

    @Test
    void float32InputsMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] shape : SHAPES) {
            for (int r = 0; r < REGIMES; r++) {
                int regime = r;
                float[] x = inputs(rnd, shape[0] * shape[1], regime);
                forEachMode(shape[0], shape[1], (sf, tile, random, what) ->
                        compare(sf, tile, random, x, null, shape[0], shape[1], what + " regime " + regime));
            }
        }
    }

    @Test
    void bfloat16InputsMatchTheReferenceOnTheirFloat32Values() {
        SplittableRandom rnd = new SplittableRandom(15);
        for (int[] shape : SHAPES) {
            for (int r = 0; r < REGIMES; r++) {
                int regime = r;
                float[] f = inputs(rnd, shape[0] * shape[1], regime);
                short[] codes = new short[f.length];
                float[] x = new float[f.length];
                for (int i = 0; i < f.length; i++) {
                    codes[i] = (short) (Float.floatToRawIntBits(f[i]) >>> 16);   // truncation: any code will do
                    x[i] = ScalarCodec.decode(ElementFormat.BF16, codes[i] & 0xFFFF);
                }
                forEachMode(shape[0], shape[1], (sf, tile, random, what) ->
                        compare(sf, tile, random, x, codes, shape[0], shape[1], what + " bf16 regime " + regime));
            }
        }
    }

    interface Mode { void run(ElementFormat sf, boolean tile, RandomStream random, String what); }

    private static void forEachMode(int rows, int cols, Mode m) {
        for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
            for (boolean tile : new boolean[] {false, true}) {
                if (tile && (rows % 16 != 0 || cols % 16 != 0)) continue;
                for (RandomStream random : new RandomStream[] {null, new RandomStream(99, 7, 2)}) {
                    m.run(sf, tile, random, sf + (tile ? " 16x16 " : " 1x16 ") + rows + "x" + cols
                            + (random == null ? " rne" : " sr"));
                }
            }
        }
    }

    /** bf16 null: the float32 entry on x; else the bfloat16 entry on bf16 (whose values are x). */
    private static void compare(ElementFormat sf, boolean tile, RandomStream random, float[] x, short[] bf16, int rows,
                                int cols, String what) {
        int n = rows * cols, blocks = rows * ((cols + 15) / 16);
        byte[] ws = new byte[blocks], wc = new byte[n], wm = new byte[n];
        float[] wd = new float[n], wt = new float[1];
        long want = new ScalarMx().quantizeScaled(sf, tile, random, x, rows, cols, ws, wc, wd, wm, wt);
        byte[] gs = new byte[blocks], gc = new byte[n], gm = new byte[n];
        float[] gd = new float[n], gt = new float[1];
        RandomStream r = random == null ? RandomStream.of(0) : random;
        int sfId = NativeFormats.id(sf), t = tile ? 1 : 0, sr = random == null ? 0 : 1;
        long got = bf16 == null
                ? LowbitCuda.lb_host_scaled_quantize_f32(sfId, t, sr, r.seed(), r.offset(), r.stream(), x, rows, cols,
                        gs, gc, gd, gm, gt)
                : LowbitCuda.lb_host_scaled_quantize_bf16(sfId, t, sr, r.seed(), r.offset(), r.stream(), bf16, rows, cols,
                        gs, gc, gd, gm, gt);
        assertEquals(want, got, what + " saturated count");
        assertEquals(Float.floatToRawIntBits(wt[0]), Float.floatToRawIntBits(gt[0]), what + " decT");
        assertArrayEquals(ws, gs, what + " scales");
        assertArrayEquals(wc, gc, what + " codes");
        assertArrayEquals(rawBits(wd), rawBits(gd), what + " dequantized");
        assertArrayEquals(wm, gm, what + " clip mask");
        // optional outputs left out change nothing else
        byte[] gs2 = new byte[blocks];
        float[] gt2 = new float[1];
        long got2 = bf16 == null
                ? LowbitCuda.lb_host_scaled_quantize_f32(sfId, t, sr, r.seed(), r.offset(), r.stream(), x, rows, cols,
                        gs2, null, null, null, gt2)
                : LowbitCuda.lb_host_scaled_quantize_bf16(sfId, t, sr, r.seed(), r.offset(), r.stream(), bf16, rows, cols,
                        gs2, null, null, null, gt2);
        assertEquals(want, got2, what + " saturated count without other outputs");
        assertArrayEquals(ws, gs2, what + " scales without other outputs");
        float[] wo = new float[n], go = new float[n];
        new ScalarMx().dequantizeScaled(sf, wt[0], ws, wc, rows, cols, wo);
        LowbitCuda.lb_host_scaled_dequantize(sfId, wt[0], ws, wc, rows, cols, go);
        assertArrayEquals(rawBits(wo), rawBits(go), what + " dequantizeScaled");
    }

    /**
     * Regimes: 0 moderate values with zeros and subnormals; 1 one NaN; 2 one Inf; 3 all zeros
     * (and -0); 4 wide range (2^-140 .. 2^120, so block scales underflow and encT is tiny);
     * 5 tiny values only (subnormals and near: encT clamps to FLT_MAX); 6 amaxT = 448 (encT = 6,
     * encT * (1/6f) = 1 for UE4M3; 256 for UE5M3) and every block's amax an exact midpoint
     * between two UE4M3 values, so step 3 lands on ties: the RNE of the scale cast and the exact
     * (1/6f) constant are both observable.
     */
    static float[] inputs(SplittableRandom rnd, int n, int regime) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int bits = rnd.nextInt();
            int sign = bits & 0x80000000;
            switch (regime) {
                case 3: x[i] = rnd.nextBoolean() ? 0f : -0f; break;
                case 4: x[i] = Float.intBitsToFloat(sign | (bits & 0x7FFFFF) | (rnd.nextInt(0, 248) << 23)); break;
                case 5: x[i] = Float.intBitsToFloat(sign | (bits & 0x7FFFFF) | (rnd.nextInt(0, 3) << 23)); break;
                default: {
                    int k = rnd.nextInt(20);
                    if (k == 0) x[i] = 0f;
                    else if (k == 1) x[i] = Float.intBitsToFloat(bits & 0x807FFFFF);
                    else x[i] = Float.intBitsToFloat((bits & 0x807FFFFF) | ((127 + rnd.nextInt(-20, 20)) << 23));
                }
            }
        }
        if (regime == 6) {
            for (int i = 0; i < n; i++) x[i] = (float) rnd.nextDouble(-0.0004, 0.0004);   // below every midpoint but the first
            for (int i = 0; i < n; i += 16) {   // one midpoint per 16 consecutive elements: in every 1x16 block
                int c = rnd.nextInt(0x01, 0x7E);
                float lo = ScalarCodec.decode(ElementFormat.UE4M3, c), hi = ScalarCodec.decode(ElementFormat.UE4M3, c + 1);
                x[i + rnd.nextInt(Math.min(16, n - i))] = (rnd.nextBoolean() ? 1 : -1) * (lo + (hi - lo) / 2);
            }
            if (n > 0) x[rnd.nextInt(n)] = 448f;
        }
        if (n > 0 && regime == 1) x[rnd.nextInt(n)] = Float.NaN;
        if (n > 0 && regime == 2) x[rnd.nextInt(n)] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        return x;
    }

    static int[] rawBits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
