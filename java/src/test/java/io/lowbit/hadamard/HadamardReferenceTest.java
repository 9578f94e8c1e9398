package io.lowbit.hadamard;

import io.lowbit.RandomStream;
import io.lowbit.backend.Backends;
import io.lowbit.backend.scalar.Philox;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scalar reference checked against facts that do not come from it. */
class HadamardReferenceTest {
    private static Hadamard.Builder scalar(int n) { return Hadamard.builder(n).backend(Backends.scalar()); }

    /** Sylvester's matrix: H[i][j] = (-1)^popcount(i & j). */
    private static int entry(int i, int j) { return (Integer.bitCount(i & j) & 1) == 0 ? 1 : -1; }

    @Test
    void smallIntegersGiveTheExactMatrixProduct() {
        // |x| <= 1000 and n <= 4096: every partial sum is an integer below 2^24, so float32 is
        // exact and the transform must equal the integer product with Sylvester's matrix.
        SplittableRandom r = new SplittableRandom(1);
        for (int n = 2; n <= 4096; n *= 2) {
            int rows = 2, cols = 2 * n;
            float[] x = new float[rows * cols];
            for (int i = 0; i < x.length; i++) x[i] = r.nextInt(-1000, 1001);
            float[] y = scalar(n).build().apply(x, rows, cols);
            for (int blk = 0; blk < x.length; blk += n) {
                for (int i = 0; i < n; i++) {
                    long want = 0;
                    for (int j = 0; j < n; j++) want += entry(i, j) * (long) x[blk + j];
                    assertEquals((float) want, y[blk + i], "n=" + n + " block " + blk / n + " i=" + i);
                }
            }
        }
    }

    @Test
    void normalizeIsOneMultiplyByTheFloatNearestToOneOverRootN() {
        MathContext mc = new MathContext(60);
        SplittableRandom r = new SplittableRandom(2);
        for (int n = 2; n <= Hadamard.MAX_N; n *= 2) {
            float c = scalar(n).normalize(true).build().apply(unit(n), 1, n)[0];
            // Nearest float: |c - 1/sqrt(n)| is no larger than for either neighbour.
            BigDecimal exact = BigDecimal.ONE.divide(new BigDecimal(n).sqrt(mc), mc);
            BigDecimal err = new BigDecimal(c).subtract(exact).abs();
            assertTrue(err.compareTo(new BigDecimal(Math.nextUp(c)).subtract(exact).abs()) <= 0, "n=" + n);
            assertTrue(err.compareTo(new BigDecimal(Math.nextDown(c)).subtract(exact).abs()) <= 0, "n=" + n);

            float[] x = randomFloats(r, 2 * n);
            float[] raw = scalar(n).build().apply(x, 1, 2 * n);
            float[] norm = scalar(n).normalize(true).build().apply(x, 1, 2 * n);
            for (int i = 0; i < x.length; i++) assertEquals(raw[i] * c, norm[i], "n=" + n + " i=" + i);
        }
    }

    @Test
    void givenSignsMultiplyTheInputBeforeTheTransform() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n = 2; n <= 1024; n *= 2) {
            float[] s = new float[n];
            for (int j = 0; j < n; j++) s[j] = r.nextBoolean() ? 1f : -1f;
            int rows = 3, cols = 2 * n;
            float[] x = randomFloats(r, rows * cols);
            float[] sx = x.clone();
            for (int i = 0; i < sx.length; i++) if (s[i % n] < 0) sx[i] = -sx[i];
            float[] want = scalar(n).normalize(true).build().apply(sx, rows, cols);
            float[] got = scalar(n).normalize(true).signs(s).build().apply(x, rows, cols);
            HadamardCases.assertSameBits(want, got, "n=" + n);
        }
    }

    @Test
    void randomSignsComeFromTheTopBitOfEachPhiloxWord() {
        RandomStream stream = new RandomStream(0x1234_5678_9abcL, 0, 3);
        int n = 64;
        float[] s = Hadamard.randomSigns(stream, n);
        int[] block = new int[4];
        int negatives = 0;
        for (int j = 0; j < n; j++) {
            Philox.group(stream.seed(), 0, stream.stream(), j / 4, block, 0);
            assertEquals(block[j % 4] >>> 31 == 1 ? -1f : 1f, s[j], "j=" + j);
            if (s[j] < 0) negatives++;
        }
        assertTrue(negatives > 10 && negatives < 54, "signs look random: " + negatives + " of 64 negative");
        // The same signs through the builder, for every block.
        float[] x = randomFloats(new SplittableRandom(4), 4 * n);
        HadamardCases.assertSameBits(scalar(n).signs(s).build().apply(x, 2, 2 * n),
                scalar(n).randomSigns(stream).build().apply(x, 2, 2 * n), "random = given(drawn)");
    }

    @Test
    void inverseIsSignsTimesTransformTimesScale() {
        SplittableRandom r = new SplittableRandom(5);
        for (int n = 2; n <= 4096; n *= 4) {
            float[] s = Hadamard.randomSigns(RandomStream.of(n), n);
            float[] y = randomFloats(r, n);
            float c = (float) (1 / Math.sqrt(n));
            float[] hy = scalar(n).build().apply(y, 1, n);
            float[] got = scalar(n).normalize(true).signs(s).inverse(true).build().apply(y, 1, n);
            for (int i = 0; i < n; i++) assertEquals(s[i] * (hy[i] * c), got[i], "n=" + n + " i=" + i);
            // Unnormalized inverse: the exact 1/n (project choice), so H(H x)/n returns integers exactly.
            float[] ints = new float[n];
            for (int i = 0; i < n; i++) ints[i] = r.nextInt(-100, 101);
            Hadamard raw = scalar(n).build();
            HadamardCases.assertSameBits(ints, raw.inverse().apply(raw.apply(ints, 1, n), 1, n), "unnormalized n=" + n);
        }
    }

    @Test
    void specialValuesFollowIeeeArithmetic() {
        float inf = Float.POSITIVE_INFINITY;
        float[] y = scalar(2).build().apply(new float[] {inf, inf, -0f, -0f, Float.MIN_VALUE, Float.MIN_VALUE,
                Float.MAX_VALUE, Float.MAX_VALUE}, 1, 8);
        assertEquals(inf, y[0]);
        assertTrue(Float.isNaN(y[1]), "inf - inf");
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(y[2]), "-0 + -0 = -0");
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(y[3]), "-0 - -0 = +0");
        assertEquals(2 * Float.MIN_VALUE, y[4], "subnormals are not flushed");
        assertEquals(inf, y[6], "overflow");
        assertEquals(0f, y[7]);
    }

    static float[] unit(int n) {
        float[] e = new float[n];
        e[0] = 1;
        return e;
    }

    static float[] randomFloats(SplittableRandom r, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(-8, 9)));
        return v;
    }
}
