package io.lowbit.qat;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.scalar.ScalarQat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LsqQuantizerTest {

    private static void assertBad(String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(argument), () -> "message should name '" + argument + "': " + e.getMessage());
    }

    @Test
    void argumentsAreCheckedFirst() {
        assertBad("bits", () -> LsqQuantizer.perTensor(1, true, 1f));
        assertBad("bits", () -> LsqQuantizer.perTensor(9, false, 1f));
        assertBad("scales[0]", () -> LsqQuantizer.perTensor(4, true, 0f));
        assertBad("scales[0]", () -> LsqQuantizer.perTensor(4, true, -1f));
        assertBad("scales[0]", () -> LsqQuantizer.perTensor(4, true, Float.NaN));
        assertBad("scales[0]", () -> LsqQuantizer.perTensor(4, true, Float.POSITIVE_INFINITY));
        assertBad("scales", () -> LsqQuantizer.perChannel(4, true, 3, 5, new float[] {1, 1}));
        assertBad("scales", () -> LsqQuantizer.perChannel(4, true, 3, 5, null));
        assertBad("scales[1]", () -> LsqQuantizer.perChannel(4, true, 2, 5, new float[] {1, Float.NaN}));
        assertBad("scales", () -> LsqQuantizer.perGroup(4, true, 2, 10, 4, new float[4]));
        assertBad("groupSize", () -> LsqQuantizer.perGroup(4, true, 2, 10, 0, new float[6]));
        assertBad("rows", () -> LsqQuantizer.perChannel(4, true, -1, 5, new float[0]));
        LsqQuantizer pc = LsqQuantizer.perChannel(4, true, 2, 3, new float[] {1, 2});
        assertBad("x", () -> pc.forward(null));
        assertBad("x", () -> pc.forward(new float[5]));
        assertBad("g", () -> pc.backward(new float[6], new float[5]));
        assertBad("g", () -> LsqQuantizer.perTensor(4, true, 1f).backward(new float[3], new float[4]));
        assertBad("scales", () -> pc.setScales(new float[3]));
        assertBad("scales[0]", () -> pc.setScales(new float[] {0f, 1f}));
        assertBad("offsets", () -> pc.withOffsets(new float[1]));
        assertBad("offsets[0]", () -> pc.withOffsets(new float[] {Float.NaN, 0}));
        assertBad("x", () -> LsqQuantizer.initPerTensor(4, true, new float[8]));
    }

    @Test
    void initialScaleIsTwiceMeanAbsOverRootQp() {
        float[] x = {1, -3, 2, -2}; // mean |x| = 2
        LsqQuantizer q = LsqQuantizer.initPerTensor(4, false, x); // Qp = 15
        assertEquals((float) (4 / Math.sqrt(15)), q.scales()[0]);
        LsqQuantizer pc = LsqQuantizer.initPerChannel(3, true, 2, 2, new float[] {1, 1, 3, -5}); // Qp = 3
        assertArrayEquals(new float[] {(float) (2 / Math.sqrt(3)), (float) (8 / Math.sqrt(3))}, pc.scales());
        LsqQuantizer pg = LsqQuantizer.initPerGroup(2, true, 1, 5, 2, new float[] {1, 3, 2, 2, 4}); // Qp = 1
        assertArrayEquals(new float[] {4f, 4f, 8f}, pg.scales());
    }

    @Test
    void granularitiesUseTheirOwnScaleAndN() {
        float[] x = {0.3f, -0.7f, 1.9f, 5f, -2.2f, 0.1f};
        float[] g = {1, -2, 0.5f, 1, 1, -1};
        LsqQuantizer pg = LsqQuantizer.perGroup(3, true, 2, 3, 2, new float[] {0.5f, 1f, 0.25f, 2f})
                .withBackend(Backends.scalar());
        // row 0: groups [0.3, -0.7] s=0.5, [1.9] s=1; row 1: [5, -2.2] s=0.25, [0.1] s=2
        float[] q = pg.forward(x);
        assertArrayEquals(new float[] {0.5f, -0.5f, 2f, 0.75f, -1f, 0f}, q);
        LsqQuantizer.Gradients gr = pg.backward(x, g);
        assertArrayEquals(new float[] {1, -2, 0.5f, 0, 0, -1}, gr.dx());
        // group 1 (one element, N = 1): t = rne(1.9) - 1.9, gradScale = 1/sqrt(1*3)
        assertEquals((float) (1 / Math.sqrt(3)) * (0.5f * (2f - 1.9f)), gr.ds()[1]);
        // group 2 (N = 2): both outside: 1*Qp + 1*(-Qn) = 3 - 4
        assertEquals((float) (1 / Math.sqrt(6)) * -1f, gr.ds()[2]);
    }

    @Test
    void everyBackendGivesTheSameBits() {
        Random rnd = new Random(3);
        float[] x = new float[3 * 1000 + 7], g = new float[x.length];
        for (int i = 0; i < x.length; i++) { x[i] = (float) rnd.nextGaussian(); g[i] = (float) rnd.nextGaussian(); }
        LsqQuantizer ref = LsqQuantizer.initPerTensor(4, true, x).withBackend(Backends.scalar());
        for (Backend b : Backends.available()) {
            LsqQuantizer q = LsqQuantizer.initPerTensor(4, true, x).withBackend(b).withOffsets(new float[] {0.1f});
            ref.withOffsets(new float[] {0.1f});
            assertArrayEquals(ref.forward(x), q.forward(x), b.name());
            assertArrayEquals(ref.backward(x, g).ds(), q.backward(x, g).ds(), b.name());
            assertArrayEquals(ref.backward(x, g).dOffsets(), q.backward(x, g).dOffsets(), b.name());
        }
    }

    @Test
    void steMaskIncludesTheClipLimitsThemselves() {
        float s = 0.5f; // exact quotients
        LsqQuantizer q = LsqQuantizer.perTensor(4, true, s).withBackend(Backends.scalar()); // grid [-8, 7]
        float[] x = {-4f, 3.5f, Math.nextDown(-4f), Math.nextUp(3.5f), 0f};
        float[] dx = q.backward(x, new float[] {1, 1, 1, 1, 1}).dx();
        assertArrayEquals(new float[] {1, 1, 0, 0, 1}, dx);
    }

    /**
     * Gradient check. Let L(s) = sum_i g_i q_i(s). Where no x_i/s sits on a rounding boundary
     * (k + 0.5) or a clip limit, n_i = rne(x_i/s) is constant near s, so exactly
     * dL/ds = sum_inside g_i n_i - Qn sum_below g_i + Qp sum_above g_i.
     * LSQ's straight-through estimator takes d rne(v)/dv = 1, which adds
     * s * d(x_i/s)/ds = -x_i/s for each inside element:
     * ds / gradScale = dL/ds - sum_inside g_i x_i/s   (exactly, in real arithmetic).
     * The finite difference is exact here: s = 2^-3 and h = 2^-16, so s +- h has 14 significant
     * bits and every q = n (s +- h) with |n| &lt;= 128 is exact in float32; the difference of two
     * such floats and its product with g are exact in float64, and x_i/s is exact.
     * What is left is the float32 rounding of ds: each term g*t and each of the
     * ceil(log2 N) tree levels adds at most 2^-24 relative, and the final gradScale multiply one
     * more, so |error| &lt;= gradScale * (ceil(log2 N) + 2) * 2^-24 * sum |g_i t_i| (plus the
     * float64 sums, far below). The tolerance is twice that bound.
     */
    @Test
    void dsMatchesFiniteDifferenceOfTheLossPlusTheSteTerm() {
        Random rnd = new Random(5);
        float s = 0.125f, h = 0x1p-16f;
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean signed : new boolean[] {true, false}) {
                int qn = ScalarQat.gridQn(bits, signed), qp = ScalarQat.gridQp(bits, signed);
                int n = 1000;
                float[] x = new float[n], g = new float[n];
                for (int i = 0; i < n; i++) {
                    double v;
                    do { v = (rnd.nextDouble() * 1.4 - 0.2) * (qn + qp) - qn; } // some beyond each limit
                    while (Math.abs(v - Math.floor(v) - 0.5) < 0.05 || Math.abs(v + qn) < 0.05 || Math.abs(v - qp) < 0.05);
                    x[i] = (float) (v * s);
                    g[i] = (float) rnd.nextGaussian();
                }
                LsqQuantizer at = LsqQuantizer.perTensor(bits, signed, s).withBackend(Backends.scalar());
                float ds = at.backward(x, g).ds()[0];
                float[] qPlus = LsqQuantizer.perTensor(bits, signed, s + h).forward(x);
                float[] qMinus = LsqQuantizer.perTensor(bits, signed, s - h).forward(x);
                double fd = 0, ste = 0, absTerms = 0;
                for (int i = 0; i < n; i++) {
                    fd += g[i] * ((double) qPlus[i] - qMinus[i]);
                    double v = (double) x[i] / s;
                    boolean inside = v >= -qn && v <= qp;
                    if (inside) ste += g[i] * v;
                    absTerms += Math.abs(g[i] * (inside ? Math.rint(v) - v : v < 0 ? qn : qp));
                }
                fd /= 2 * h;
                double gradScale = ScalarQat.gradScale(n, qp);
                double bound = gradScale * (Math.ceil(Math.log(n) / Math.log(2)) + 2) * 0x1p-24 * absTerms;
                double want = gradScale * (fd - ste);
                assertEquals(want, ds, 2 * bound, "bits=" + bits + " signed=" + signed);
            }
        }
    }
}
