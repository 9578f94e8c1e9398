package io.lowbit.backend.vector;

import io.lowbit.backend.QatKernels;
import io.lowbit.backend.scalar.ScalarQat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The vectorized and multithreaded LSQ kernels give the reference's bits (NaN matching any NaN). */
class VectorQatTest {
    private static final ForkJoinPool POOL = new ForkJoinPool(3);
    private final ScalarQat reference = new ScalarQat();
    private final QatKernels[] fast = {
            new VectorQat(new ForkJoinPool(1), 1 << 30),  // one thread
            new VectorQat(POOL, 7),                       // forks at every tree node above 7 elements
            new VectorQat(POOL, 1000),
    };

    @AfterAll
    static void shutdown() { POOL.shutdown(); }

    @Test
    void randomBitPatternsAllLengths() {
        Random rnd = new Random(11);
        for (int n = 0; n <= 70; n++) compareAll(rnd, 1, n, Math.max(n, 1), true);
        compareAll(rnd, 1, 4096, 4096, false);
        compareAll(rnd, 1, VectorQat.LEAF * 3 + 17, VectorQat.LEAF * 3 + 17, false);
        compareAll(rnd, 1, 70001, 70001, false);
    }

    @Test
    void perChannelAndPerGroup() {
        Random rnd = new Random(12);
        for (int[] shape : new int[][] {{5, 33, 33}, {7, 64, 16}, {3, 50, 32}, {2, 10001, 10001}, {9, 37, 5}, {4, 8200, 4100}}) {
            compareAll(rnd, shape[0], shape[1], shape[2], false);
            compareAll(rnd, shape[0], shape[1], shape[2], true);
        }
    }

    private void compareAll(Random rnd, int rows, int cols, int group, boolean bitPatterns) {
        int bits = 2 + rnd.nextInt(7);
        boolean signed = rnd.nextBoolean();
        int qn = ScalarQat.gridQn(bits, signed), qp = ScalarQat.gridQp(bits, signed);
        int n = rows * cols, segs = ScalarQat.segmentCount(rows, cols, group);
        float[] scales = new float[segs], offsets = new float[segs];
        for (int k = 0; k < segs; k++) {
            scales[k] = bitPatterns ? Math.abs(Float.intBitsToFloat(rnd.nextInt())) : (float) Math.exp(rnd.nextGaussian());
            if (!(scales[k] > 0) || Float.isInfinite(scales[k])) scales[k] = 0.37f;
            offsets[k] = (float) rnd.nextGaussian();
        }
        float[] x = new float[n], g = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = bitPatterns ? Float.intBitsToFloat(rnd.nextInt())
                    : rnd.nextInt(4) == 0 ? (rnd.nextInt(2 * (qn + qp) + 5) - qn - 2) / 2f * scales[0]
                    : (float) (rnd.nextGaussian() * qp);
            g[i] = bitPatterns ? Float.intBitsToFloat(rnd.nextInt()) : (float) rnd.nextGaussian();
        }
        for (float[] off : new float[][] {null, offsets}) {
            float[][] want = run(reference, x, g, rows, cols, group, scales, off, qn, qp);
            for (QatKernels k : fast) {
                float[][] got = run(k, x, g, rows, cols, group, scales, off, qn, qp);
                String what = "rows=" + rows + " cols=" + cols + " group=" + group + " bits=" + bits + " signed=" + signed
                        + " offsets=" + (off != null);
                for (int a = 0; a < want.length; a++) assertArrayEquals(bitsOf(want[a]), bitsOf(got[a]), what + " output " + a);
            }
        }
    }

    private static float[][] run(QatKernels k, float[] x, float[] g, int rows, int cols, int group, float[] scales,
                                 float[] offsets, int qn, int qp) {
        float[] q = new float[x.length], dx = new float[x.length], ds = new float[scales.length], dOff = new float[scales.length];
        k.lsqForward(x, rows, cols, group, scales, offsets, qn, qp, q);
        k.lsqBackward(x, g, rows, cols, group, scales, offsets, qn, qp, dx, ds, offsets == null ? null : dOff);
        return new float[][] {q, dx, ds, dOff};
    }

    /** floatToIntBits folds every NaN into one: any NaN matches any NaN (vector-format.md). */
    private static int[] bitsOf(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToIntBits(v[i]);
        return b;
    }
}
