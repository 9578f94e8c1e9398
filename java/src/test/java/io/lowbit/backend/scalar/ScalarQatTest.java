package io.lowbit.backend.scalar;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference checked against an independent restatement of contract 8: quotient as the
 * float64 quotient rounded once (innocuous double rounding for division), rne by BigDecimal
 * HALF_EVEN, sums by the binary-counter tree of {@link PairwiseSumTest}.
 */
class ScalarQatTest {
    private final ScalarQat qat = new ScalarQat();

    @Test
    void gridBounds() {
        assertEquals(2, ScalarQat.gridQn(2, true));
        assertEquals(1, ScalarQat.gridQp(2, true));
        assertEquals(128, ScalarQat.gridQn(8, true));
        assertEquals(127, ScalarQat.gridQp(8, true));
        assertEquals(0, ScalarQat.gridQn(4, false));
        assertEquals(15, ScalarQat.gridQp(4, false));
        assertEquals(0.25f, ScalarQat.gradScale(16, 1));
        assertEquals((float) (1 / Math.sqrt(7 * 7)), ScalarQat.gradScale(7, 7));
        assertEquals(1f / 7f, ScalarQat.gradScale(7, 7));
    }

    @Test
    void roundingBoundariesGoToEven() {
        float s = 0.5f; // x / s exact for these x
        float[] x = {0.25f, 0.75f, 1.25f, -0.25f, -0.75f, -1.25f, -0.1f, 3.75f, -4.25f};
        float[] q = new float[x.length];
        qat.lsqForward(x, 1, x.length, x.length, new float[] {s}, null, 4, 3, q);
        // x/s = 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0, -1.5 -> -2, -2.5 -> -2, -0.2 -> -0, 7.5 -> clip 3, -8.5 -> clip -4
        float[] want = {0f, 1f, 1f, -0f, -1f, -1f, -0f, 1.5f, -2f};
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(q[i]), "x=" + x[i]);
        }
    }

    @Test
    void matchesIndependentRestatement() {
        Random rnd = new Random(7);
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean signed : new boolean[] {true, false}) {
                int qn = ScalarQat.gridQn(bits, signed), qp = ScalarQat.gridQp(bits, signed);
                for (int[] shape : new int[][] {{1, 37, 37}, {3, 20, 20}, {4, 19, 8}, {2, 0, 5}}) {
                    int rows = shape[0], cols = shape[1], group = shape[2];
                    int segs = ScalarQat.segmentCount(rows, cols, group);
                    float[] scales = new float[segs], offsets = new float[segs];
                    for (int k = 0; k < segs; k++) {
                        scales[k] = (float) Math.exp(rnd.nextGaussian() * 2);
                        offsets[k] = (float) rnd.nextGaussian();
                    }
                    float[] x = new float[rows * cols], g = new float[rows * cols];
                    for (int i = 0; i < x.length; i++) {
                        int k = (i / cols) * ((cols + group - 1) / group) + (i % cols) / group;
                        // half the elements on exact rounding boundaries or clip limits
                        x[i] = rnd.nextBoolean() ? (float) (rnd.nextGaussian() * scales[k] * qp)
                                : scales[k] * (rnd.nextInt(2 * (qn + qp) + 3) - qn - 1) / 2f;
                        g[i] = (float) rnd.nextGaussian();
                    }
                    for (float[] off : new float[][] {null, offsets}) {
                        check(x, g, rows, cols, group, scales, off, qn, qp);
                    }
                }
            }
        }
    }

    private void check(float[] x, float[] g, int rows, int cols, int group, float[] scales, float[] offsets, int qn, int qp) {
        int n = x.length, segs = scales.length, perRow = cols == 0 ? 0 : (cols + group - 1) / group;
        float[] q = new float[n], dx = new float[n], ds = new float[segs], dOff = new float[segs];
        qat.lsqForward(x, rows, cols, group, scales, offsets, qn, qp, q);
        qat.lsqBackward(x, g, rows, cols, group, scales, offsets, qn, qp, dx, ds, dOff);
        for (int k = 0; k < segs; k++) {
            int from = (k / perRow) * cols + (k % perRow) * group, len = Math.min(group, cols - (k % perRow) * group);
            float s = scales[k], beta = offsets == null ? 0 : offsets[k];
            float[] tTerms = new float[len], uTerms = new float[len];
            for (int e = 0; e < len; e++) {
                int i = from + e;
                float xi = offsets == null ? x[i] : x[i] - beta;
                float v = (float) ((double) xi / s);
                double r = Float.isNaN(v) ? Double.NaN : Float.isInfinite(v) ? v
                        : new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).doubleValue();
                if (r == 0) r = Math.copySign(0.0, v); // BigDecimal has no -0; rne keeps the sign of zero
                // clamp keeps a value in range unchanged (so -0.0 stays); the bounds are +-integers (+0 for qn = 0)
                double level = r < -qn ? -qn : r > qp ? qp : r;
                float qi = (float) (level * s);
                if (offsets != null) qi = qi + beta;
                boolean in = v >= -qn && v <= qp;
                assertEquals(Float.floatToIntBits(qi), Float.floatToIntBits(q[i]), "q at " + i + " x=" + x[i] + " s=" + s);
                assertEquals(Float.floatToIntBits(in ? g[i] : 0f), Float.floatToIntBits(dx[i]), "dx at " + i);
                float t = v < -qn ? -qn : v > qp ? qp : (float) (r - v);
                tTerms[e] = g[i] * t;
                uTerms[e] = in ? g[i] * 0f : g[i];
            }
            float scale = (float) (1 / Math.sqrt((double) len * qp));
            assertEquals(Float.floatToIntBits(scale * PairwiseSumTest.counterSum(tTerms, 0, len)),
                    Float.floatToIntBits(ds[k]), "ds[" + k + "]");
            if (offsets != null) {
                assertEquals(Float.floatToIntBits(scale * PairwiseSumTest.counterSum(uTerms, 0, len)),
                        Float.floatToIntBits(dOff[k]), "dOffsets[" + k + "]");
            }
        }
    }
}
