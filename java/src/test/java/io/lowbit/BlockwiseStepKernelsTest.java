package io.lowbit;

import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.LionScalars;
import io.lowbit.backend.SgdScalars;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The fused steps of 7.3 and docs/numerics-optim.md, checked against their definitions. */
class BlockwiseStepKernelsTest {
    private static final BlockwiseKernels REF = Backends.scalar().blockwise();

    private static float[] gauss(SplittableRandom r, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
        return x;
    }

    @Test
    void adamw32FollowsPyTorchAdamWInFloat64Closely() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 1000;
        float[] p = gauss(r, n, 1), m = new float[n], v = new float[n];
        double[] pd = new double[n], md = new double[n], vd = new double[n];
        for (int i = 0; i < n; i++) pd[i] = p[i];
        double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
        for (int t = 1; t <= 20; t++) {
            float[] g = gauss(r, n, 0.1);
            REF.adamw32(AdamWScalars.of(lr, b1, b2, eps, wd, t), p, g, m, v, 0, n);
            for (int i = 0; i < n; i++) {
                pd[i] *= 1 - lr * wd;
                md[i] = b1 * md[i] + (1 - b1) * g[i];
                vd[i] = b2 * vd[i] + (1 - b2) * g[i] * (double) g[i];
                double mh = md[i] / (1 - Math.pow(b1, t)), vh = vd[i] / (1 - Math.pow(b2, t));
                pd[i] -= lr * mh / (Math.sqrt(vh) + eps);
            }
        }
        for (int i = 0; i < n; i++) assertEquals(pd[i], p[i], 1e-5 * Math.max(1, Math.abs(pd[i])));
    }

    @Test
    void nonFiniteGradientsZeroTheStateAndKeepTheParameter() {
        int n = 300, bs = 64;
        SplittableRandom r = new SplittableRandom(6);
        float[] p = gauss(r, n, 1), g = gauss(r, n, 1), m = gauss(r, n, 0.1), v = new float[n];
        for (int i = 0; i < n; i++) v[i] = Math.abs(m[i]);
        g[3] = Float.NaN; g[70] = Float.POSITIVE_INFINITY; g[299] = Float.NEGATIVE_INFINITY;
        float[] p0 = p.clone();
        AdamWScalars s = AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, 3);
        assertEquals(3, REF.adamw32(s, p, g, m, v, 0, n));
        for (int i : new int[] {3, 70, 299}) {
            assertEquals(p0[i], p[i]);
            assertEquals(0f, m[i]);
            assertEquals(0f, v[i]);
        }
        // 8-bit: the dequantized state of those elements is exactly 0 (0 is in both dynamic maps)
        Blockwise bw = Blockwise.on(Backends.scalar());
        Blockwise.Quantized mq = bw.quantize(Codebook.DYNAMIC_SIGNED, gauss(r, n, 0.1), bs);
        Blockwise.Quantized vq = bw.quantize(Codebook.DYNAMIC_UNSIGNED, v, bs);
        float[] p8 = p0.clone();
        int bad = REF.adamw8(s, Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, bs, p8, g, mq.codes(), mq.absmax(), vq.codes(), vq.absmax(), n, 0, Blockwise.blocks(n, bs));
        assertEquals(3, bad);
        float[] md = bw.dequantize(mq), vd = bw.dequantize(vq);
        for (int i : new int[] {3, 70, 299}) {
            assertEquals(p0[i], p8[i]);
            assertEquals(0f, md[i]);
            assertEquals(0f, vd[i]);
        }
    }

    /** An 8-/4-bit step is exactly: dequantize, the 32-bit step, quantize (7.3 step 2-4). */
    @Test
    void quantizedStepsAreDequantizeStepRequantize() {
        SplittableRandom r = new SplittableRandom(7);
        for (Backend be : Backends.available()) {
            BlockwiseKernels k = be.blockwise();
            for (int bs : new int[] {64, 128, 256, 4096}) {
                for (int n : new int[] {1, bs - 1, bs + 3, 3 * bs}) {
                    int nb = Blockwise.blocks(n, bs);
                    Blockwise ref = Blockwise.on(Backends.scalar()).threads(1);
                    float[] p = gauss(r, n, 1), g = gauss(r, n, 0.1);
                    if (n > 2) g[n / 2] = Float.NaN;
                    float[] v0 = gauss(r, n, 0.01);
                    for (int i = 0; i < n; i++) v0[i] = v0[i] * v0[i];
                    AdamWScalars s = AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, 5);

                    // AdamW 8-bit
                    Blockwise.Quantized mq = ref.quantize(Codebook.DYNAMIC_SIGNED, gauss(r, n, 0.01), bs);
                    Blockwise.Quantized vq = ref.quantize(Codebook.DYNAMIC_UNSIGNED, v0, bs);
                    float[] m = ref.dequantize(mq), v = ref.dequantize(vq), p32 = p.clone(), p8 = p.clone();
                    int bad32 = REF.adamw32(s, p32, g, m, v, 0, n);
                    int bad8 = k.adamw8(s, Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, bs, p8, g, mq.codes(), mq.absmax(), vq.codes(), vq.absmax(), n, 0, nb);
                    assertEquals(bad32, bad8);
                    assertArrayEquals(p32, p8);
                    assertQuantizedEquals(ref.quantize(Codebook.DYNAMIC_SIGNED, m, bs), mq);
                    assertQuantizedEquals(ref.quantize(Codebook.DYNAMIC_UNSIGNED, v, bs), vq);

                    // AdamW 4-bit (torchao maps)
                    if (bs <= 4096) {
                        Blockwise.Quantized m4 = ref.quantize4(Codebook.DYNAMIC_SIGNED_4, gauss(r, n, 0.01), bs);
                        Blockwise.Quantized v4 = ref.quantize4(Codebook.LINEAR4, v0, bs);
                        m = ref.dequantize(m4); v = ref.dequantize(v4); p32 = p.clone(); float[] p4 = p.clone();
                        REF.adamw32(s, p32, g, m, v, 0, n);
                        k.adamw4(s, Codebook.DYNAMIC_SIGNED_4, Codebook.LINEAR4, bs, p4, g, m4.codes(), m4.absmax(), v4.codes(), v4.absmax(), n, 0, nb);
                        assertArrayEquals(p32, p4);
                        assertQuantizedEquals(ref.quantize4(Codebook.DYNAMIC_SIGNED_4, m, bs), m4);
                        assertQuantizedEquals(ref.quantize4(Codebook.LINEAR4, v, bs), v4);
                    }

                    // SGD momentum 8-bit
                    SgdScalars ss = SgdScalars.of(0.05, 0.9, 1e-4);
                    Blockwise.Quantized bq = ref.quantize(Codebook.DYNAMIC_SIGNED, gauss(r, n, 0.1), bs);
                    float[] buf = ref.dequantize(bq); p32 = p.clone(); p8 = p.clone();
                    assertEquals(REF.sgd32(ss, p32, g, buf, 0, n), k.sgd8(ss, Codebook.DYNAMIC_SIGNED, bs, p8, g, bq.codes(), bq.absmax(), n, 0, nb));
                    assertArrayEquals(p32, p8);
                    assertQuantizedEquals(ref.quantize(Codebook.DYNAMIC_SIGNED, buf, bs), bq);

                    // Lion 8-bit
                    LionScalars ls = LionScalars.of(1e-4, 0.9, 0.99, 0.1);
                    Blockwise.Quantized lq = ref.quantize(Codebook.DYNAMIC_SIGNED, gauss(r, n, 0.1), bs);
                    float[] lm = ref.dequantize(lq); p32 = p.clone(); p8 = p.clone();
                    assertEquals(REF.lion32(ls, p32, g, lm, 0, n), k.lion8(ls, Codebook.DYNAMIC_SIGNED, bs, p8, g, lq.codes(), lq.absmax(), n, 0, nb));
                    assertArrayEquals(p32, p8);
                    assertQuantizedEquals(ref.quantize(Codebook.DYNAMIC_SIGNED, lm, bs), lq);
                }
            }
        }
    }

    private static void assertQuantizedEquals(Blockwise.Quantized want, Blockwise.Quantized got) {
        assertArrayEquals(want.codes(), got.codes());
        assertArrayEquals(want.absmax(), got.absmax());
    }

    private static float[] bits(SplittableRandom r, int n, boolean nonNegative) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            int b = r.nextInt();
            if (r.nextInt(4) == 0) b = Float.floatToRawIntBits((float) r.nextGaussian());  // common values too
            x[i] = Float.intBitsToFloat(nonNegative ? b & 0x7FFFFFFF : b);
        }
        return x;
    }

    /** Fast 32-bit steps against the reference on random bit patterns, every length 0..80 (odd tails). */
    @Test
    void fastElementUpdatesMatchTheReferenceOnRandomBits() {
        SplittableRandom r = new SplittableRandom(9);
        AdamWScalars s = AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, 3);
        for (Backend be : Backends.available()) {
            for (int n = 0; n <= 80; n++) {
                float[] p = bits(r, n, false), g = bits(r, n, false), m = bits(r, n, false), v = bits(r, n, true);
                float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
                assertEquals(REF.adamw32(s, p, g, m, v, 0, n), be.blockwise().adamw32(s, p2, g, m2, v2, 0, n));
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(p[i]), Float.floatToIntBits(p2[i]), be.name() + " p " + i);
                    assertEquals(Float.floatToIntBits(m[i]), Float.floatToIntBits(m2[i]), be.name() + " m " + i);
                    assertEquals(Float.floatToIntBits(v[i]), Float.floatToIntBits(v2[i]), be.name() + " v " + i);
                }
            }
        }
    }

    /** Fast SGD-momentum and Lion element updates against the reference on random bit patterns, every length 0..80. */
    @Test
    void fastSgdAndLionUpdatesMatchTheReferenceOnRandomBits() {
        SplittableRandom r = new SplittableRandom(10);
        SgdScalars ss = SgdScalars.of(0.05, 0.9, 1e-4);
        LionScalars ls = LionScalars.of(1e-4, 0.9, 0.99, 0.1);
        for (Backend be : Backends.available()) {
            for (int n = 0; n <= 80; n++) {
                float[] p = bits(r, n, false), g = bits(r, n, false), m = bits(r, n, false);
                if (n > 3) { m[1] = 0f; m[2] = -0f; g[1] = 0f; g[2] = -0f; }  // c = +-0: sign keeps it
                float[] p2 = p.clone(), m2 = m.clone(), p3 = p.clone(), m3 = m.clone(), p4 = p.clone(), m4 = m.clone();
                assertEquals(REF.sgd32(ss, p, g, m, 0, n), be.blockwise().sgd32(ss, p2, g, m2, 0, n));
                assertEquals(REF.lion32(ls, p3, g, m3, 0, n), be.blockwise().lion32(ls, p4, g, m4, 0, n));
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToIntBits(p[i]), Float.floatToIntBits(p2[i]), be.name() + " sgd p " + i);
                    assertEquals(Float.floatToIntBits(m[i]), Float.floatToIntBits(m2[i]), be.name() + " sgd buf " + i);
                    assertEquals(Float.floatToIntBits(p3[i]), Float.floatToIntBits(p4[i]), be.name() + " lion p " + i);
                    assertEquals(Float.floatToIntBits(m3[i]), Float.floatToIntBits(m4[i]), be.name() + " lion m " + i);
                }
            }
        }
    }

    @Test
    void lionMovesEachParameterByExactlyLrAndSgdWithoutMomentumIsPlainGradientDescent() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 500;
        float[] p = gauss(r, n, 1), g = gauss(r, n, 1), m = gauss(r, n, 1), p0 = p.clone(), m0 = m.clone();
        float lr = 0.25f;  // a power of two: p - lr*sign is exact for |p| in [0.25, 2)
        REF.lion32(LionScalars.of(lr, 0.9, 0.99, 0), p, g, m, 0, n);
        for (int i = 0; i < n; i++) {
            double c = 0.9 * (double) m0[i] + 0.1 * g[i];  // sign is robust away from 0
            if (Math.abs(p0[i]) >= 0.25 && Math.abs(p0[i]) < 2 && Math.abs(c) > 1e-3) {
                assertEquals(Math.abs(p0[i] - p[i]), lr, 1e-6);
            }
        }
        float[] q = p0.clone(), buf = new float[n];
        REF.sgd32(SgdScalars.of(0.1, 0, 0), q, g, buf, 0, n);
        for (int i = 0; i < n; i++) assertEquals(p0[i] - 0.1f * g[i], q[i]);
    }
}
