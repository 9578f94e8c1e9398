package io.lowbit.cuda;

import io.lowbit.backend.scalar.PairwiseSum;
import io.lowbit.backend.scalar.ScalarQat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.lowbit.cuda.HostBlockwiseCheckTest.bits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The LSQ kernels' code (lowbit_qat*.cuh) run on the CPU vs ScalarQat, bit for bit; and the
 * kernels' leaf-then-combine pairwise sum vs PairwiseSum.reference for every leaf size.
 */
class HostQatCheckTest {
    private final ScalarQat scalar = new ScalarQat();

    @BeforeEach
    void library() { NativeTestSupport.assumeLibrary(); }

    @Test
    void pairwiseSumWithAnyLeafSizeIsTheCanonicalTree() {
        SplittableRandom rnd = new SplittableRandom(8);
        int orderSensitive = 0;
        for (int n = 0; n <= 600; n += n < 70 ? 1 : 37) {
            float[] v = terms(rnd, n);
            float want = PairwiseSum.reference(v, 0, n);
            for (int leaf = 1; leaf <= 1024; leaf <<= 1) {
                assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(LowbitCuda.lb_host_pairwise_sum(v, n, leaf)),
                        "n=" + n + " leaf " + leaf);
            }
            if (Float.floatToIntBits(sequential(v)) != Float.floatToIntBits(want)) orderSensitive++;
        }
        // the inputs make the summation order visible, so a wrong tree would be caught
        assertTrue(orderSensitive > 20, "order-sensitive cases: " + orderSensitive);
    }

    @Test
    void forwardAndBackwardMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(19);
        int[][] shapes = {{1, 1}, {1, 37}, {3, 64}, {5, 33}, {2, 1000}};
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean signed : new boolean[] {true, false}) {
                int qn = ScalarQat.gridQn(bits, signed), qp = ScalarQat.gridQp(bits, signed);
                for (int[] shape : shapes) {
                    int rows = shape[0], cols = shape[1];
                    // per-tensor (one row, group = n), per-channel (group = cols), per-group (odd and power-of-two groups)
                    int[][] layouts = {{1, rows * cols, rows * cols}, {rows, cols, cols}, {rows, cols, 7}, {rows, cols, 32}};
                    for (int[] layout : layouts) {
                        for (boolean plus : new boolean[] {false, true}) {
                            String what = bits + " bits " + (signed ? "signed" : "unsigned") + " " + layout[0] + "x" + layout[1]
                                    + " group " + layout[2] + (plus ? " LSQ+" : " LSQ");
                            compare(rnd, layout[0], layout[1], layout[2], qn, qp, plus, what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void largePerTensorSegmentUsesLeavesAndTail() {
        // 100003 elements: the kernel's leaf size is 128 (at most 1024 leaves), with a tail of 35
        SplittableRandom rnd = new SplittableRandom(23);
        compare(rnd, 1, 100_003, 100_003, 8, 7, false, "per-tensor 100003");
        compare(rnd, 1, 100_003, 100_003, 0, 255, true, "per-tensor 100003 LSQ+ unsigned");
    }

    private void compare(SplittableRandom rnd, int rows, int cols, int group, int qn, int qp, boolean plus, String what) {
        int n = rows * cols, segments = ScalarQat.segmentCount(rows, cols, group);
        float[] scales = new float[segments];
        float[] offsets = plus ? new float[segments] : null;
        for (int k = 0; k < segments; k++) {
            scales[k] = (float) Math.pow(2, rnd.nextInt(-8, 2)) * (1 + rnd.nextFloat());
            if (plus) offsets[k] = (float) rnd.nextGaussian() * scales[k];
        }
        float[] x = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            int k = i / group;  // roughly the segment's scale; enough to land inside, outside and on ties
            float s = scales[Math.min(k, segments - 1)];
            int kind = rnd.nextInt(100);
            if (kind == 0) x[i] = Float.NaN;
            else if (kind < 10) x[i] = (rnd.nextInt(-2 * qn - 2, 2 * qp + 3) * 0.5f) * s;   // ties and grid points
            else x[i] = (float) (rnd.nextGaussian() * (qp + qn) * 0.6) * s;
            g[i] = kind == 1 ? Float.POSITIVE_INFINITY : (float) rnd.nextGaussian() * (float) Math.pow(10, rnd.nextInt(-4, 3));
        }
        float[] wq = new float[n], gq = new float[n];
        scalar.lsqForward(x, rows, cols, group, scales, offsets, qn, qp, wq);
        LowbitCuda.lb_host_lsq_forward(x, rows, cols, group, scales, offsets, qn, qp, gq);
        assertArrayEquals(bits(wq), bits(gq), what + " forward");

        float[] wdx = new float[n], wds = new float[segments], wdo = plus ? new float[segments] : null;
        scalar.lsqBackward(x, g, rows, cols, group, scales, offsets, qn, qp, wdx, wds, wdo);
        int perRow = segments / rows;
        float full = ScalarQat.gradScale(group, qp), last = ScalarQat.gradScale(cols - (perRow - 1) * group, qp);
        for (int leaf : new int[] {0, 1, 4, 64}) {
            float[] gdx = new float[n], gds = new float[segments], gdo = plus ? new float[segments] : null;
            LowbitCuda.lb_host_lsq_backward(x, g, rows, cols, group, scales, offsets, qn, qp, full, last, gdx, gds, gdo, leaf);
            assertArrayEquals(bits(wdx), bits(gdx), what + " dx, leaf " + leaf);
            assertArrayEquals(bits(wds), bits(gds), what + " ds, leaf " + leaf);
            if (plus) assertArrayEquals(bits(wdo), bits(gdo), what + " dOffsets, leaf " + leaf);
        }
    }

    /** Terms of widely varied magnitude and sign, so that float32 sums depend on the order. */
    private static float[] terms(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(-12, 12)));
        return v;
    }

    private static float sequential(float[] v) {
        float s = 0f;
        for (float x : v) s += x;
        return s;
    }
}
