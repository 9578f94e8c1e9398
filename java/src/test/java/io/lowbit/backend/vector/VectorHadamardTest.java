package io.lowbit.backend.vector;

import io.lowbit.backend.scalar.ScalarHadamard;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorized and multithreaded transforms against the scalar reference, bit for bit. */
class VectorHadamardTest {
    private static final ScalarHadamard REFERENCE = new ScalarHadamard();

    /** Random bit patterns: every exponent, subnormals, infinities and NaNs included. */
    private static float[] randomBits(SplittableRandom r, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = Float.intBitsToFloat(r.nextInt());
        return v;
    }

    /** Gaussian values (no overflow), so the low bits of real sums are compared too. */
    private static float[] gaussian(SplittableRandom r, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static float[] signs(SplittableRandom r, int n) {
        float[] s = new float[n];
        for (int j = 0; j < n; j++) s[j] = r.nextBoolean() ? 1f : -1f;
        return s;
    }

    private static void assertSameBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) && Float.isNaN(got[i])) continue;
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), what + " element " + i);
        }
    }

    private static void compare(VectorHadamard fast, float[] x, int rows, int cols, int n,
                                boolean normalize, boolean inverse, float[] s, String what) {
        float[] want = new float[x.length];
        REFERENCE.transform(x, want, rows, cols, n, normalize, inverse, s);
        float[] got = new float[x.length];
        fast.transform(x, got, rows, cols, n, normalize, inverse, s);
        assertSameBits(want, got, what);
        float[] inPlace = x.clone();
        fast.transform(inPlace, inPlace, rows, cols, n, normalize, inverse, s);
        assertSameBits(want, inPlace, what + " in place");
    }

    @Property(tries = 300)
    void everySizeAndOptionMatchesTheReference(@ForAll @IntRange(min = 1, max = 15) int k,
                                               @ForAll @IntRange(min = 0, max = 3) int rows,
                                               @ForAll @IntRange(min = 1, max = 3) int blocksPerRow,
                                               @ForAll boolean normalize, @ForAll boolean inverse,
                                               @ForAll boolean withSigns, @ForAll boolean bitPatterns,
                                               @ForAll long seed) {
        int n = 1 << k;
        if ((long) rows * blocksPerRow * n > 1 << 16) rows = 1;
        int cols = blocksPerRow * n;
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = bitPatterns ? randomBits(r, rows * cols) : gaussian(r, rows * cols);
        float[] s = withSigns ? signs(r, n) : null;
        compare(new VectorHadamard(), x, rows, cols, n, normalize, inverse, s,
                "n=" + n + " rows=" + rows + " cols=" + cols);
    }

    @Property(tries = 60)
    void multithreadedMatchesTheReference(@ForAll @IntRange(min = 1, max = 13) int k,
                                          @ForAll @IntRange(min = 1, max = 40) int rows,
                                          @ForAll @IntRange(min = 2, max = 5) int threads,
                                          @ForAll boolean normalize, @ForAll long seed) {
        int n = 1 << k;
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = gaussian(r, rows * n);
        // parallelMin=1: every input is split, including ones with fewer blocks than threads.
        compare(new VectorHadamard(1, threads), x, rows, n, n, normalize, false, signs(r, n),
                "n=" + n + " rows=" + rows + " threads=" + threads);
    }

    @Test
    void largestSizeWithSeveralBlocksOnThreads() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 1 << 15;
        float[] x = gaussian(r, 4 * n);
        compare(new VectorHadamard(1, 3), x, 2, 2 * n, n, true, true, signs(r, n), "n=32768 threads");
    }

    /**
     * Every size 2..32768 and every option, deterministic: each code path of the kernel (blocks
     * shorter than a vector, the pair pass, the eight-vector first pass, chunking, radix 2/4/8
     * remainders, signs, scale, inverse) on one and on several threads, with two rows.
     */
    @Test
    void everySizeEveryOptionEveryThreadCount() {
        SplittableRandom r = new SplittableRandom(11);
        for (int k = 1; k <= 15; k++) {
            int n = 1 << k;
            int rows = n <= 1 << 12 ? 3 : 2;
            float[] x = gaussian(r, rows * n);
            float[] bits = randomBits(r, rows * n);
            float[] s = signs(r, n);
            for (int threads = 1; threads <= 3; threads++) {
                VectorHadamard fast = new VectorHadamard(1, threads);
                for (int option = 0; option < 8; option++) {
                    boolean normalize = (option & 1) != 0, inverse = (option & 2) != 0;
                    float[] signs = (option & 4) != 0 ? s : null;
                    String what = "n=" + n + " threads=" + threads + " normalize=" + normalize
                            + " inverse=" + inverse + " signs=" + (signs != null);
                    compare(fast, x, rows, n, n, normalize, inverse, signs, what);
                    if (threads == 1) compare(fast, bits, rows, n, n, normalize, inverse, signs, what + " bits");
                }
            }
        }
    }

    /**
     * Both first passes, whatever this JDK picks by default: the 128-bit one (JDK 25 and later)
     * and the 256-bit one, every size, every option, raw bit patterns included.
     */
    @Test
    void narrowAndWideFirstPassesMatchTheReference() {
        SplittableRandom r = new SplittableRandom(12);
        for (boolean narrow : new boolean[] {true, false}) {
            VectorHadamard fast = new VectorHadamard(Integer.MAX_VALUE, 1, narrow);
            for (int k = 1; k <= 15; k++) {
                int n = 1 << k;
                float[] x = gaussian(r, 2 * n);
                float[] bits = randomBits(r, 2 * n);
                float[] s = signs(r, n);
                for (int option = 0; option < 8; option++) {
                    boolean normalize = (option & 1) != 0, inverse = (option & 2) != 0;
                    float[] signs = (option & 4) != 0 ? s : null;
                    String what = "narrow=" + narrow + " n=" + n + " option=" + option;
                    compare(fast, x, 2, n, n, normalize, inverse, signs, what);
                    compare(fast, bits, 2, n, n, normalize, inverse, signs, what + " bits");
                }
            }
        }
    }
}
