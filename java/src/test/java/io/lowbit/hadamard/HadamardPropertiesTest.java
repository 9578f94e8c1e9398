package io.lowbit.hadamard;

import io.lowbit.RandomStream;
import io.lowbit.backend.Backends;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Algebraic properties of the normalized transform, within stated float32 error bounds. */
class HadamardPropertiesTest {
    private static final double U = Math.ulp(1f) / 2; // unit roundoff 2^-24

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        return Math.sqrt(s);
    }

    /** log2(n) butterfly stages plus the scale and sign multiplies, each within u per stage in norm. */
    private static double bound(int n) { return (Integer.numberOfTrailingZeros(n) + 2) * U * 1.01; }

    private static Hadamard op(int n, long seed, boolean inverse) {
        return Hadamard.builder(n).normalize(true).randomSigns(RandomStream.of(seed)).inverse(inverse)
                .backend(Backends.scalar()).build();
    }

    @Property(tries = 200)
    void preservesTheNorm(@ForAll @IntRange(min = 1, max = 12) int k, @ForAll @IntRange(min = 1, max = 3) int rows,
                          @ForAll long seed, @ForAll boolean inverse) {
        int n = 1 << k;
        float[] x = HadamardReferenceTest.randomFloats(new SplittableRandom(seed), rows * n);
        float[] y = op(n, seed, inverse).apply(x, rows, n);
        for (int r = 0; r < rows; r++) {
            float[] xr = java.util.Arrays.copyOfRange(x, r * n, (r + 1) * n);
            float[] yr = java.util.Arrays.copyOfRange(y, r * n, (r + 1) * n);
            // Each stage is orthogonal times sqrt(2) with a rounding of at most u per element, so
            // | ||y|| - ||x|| | <= ((1+u)^(k+2) - 1) ||x||, about (k+2) u ||x||.
            double rel = Math.abs(norm(yr) - norm(xr)) / norm(xr);
            assertTrue(rel <= bound(n), "n=" + n + " relative norm change " + rel + " > " + bound(n));
        }
    }

    @Property(tries = 200)
    void inverseUndoesTheTransform(@ForAll @IntRange(min = 1, max = 12) int k, @ForAll long seed) {
        int n = 1 << k;
        float[] x = HadamardReferenceTest.randomFloats(new SplittableRandom(seed), n);
        float[] back = op(n, seed, true).apply(op(n, seed, false).apply(x, 1, n), 1, n);
        double diff = 0;
        for (int i = 0; i < n; i++) diff += Math.pow((double) back[i] - x[i], 2);
        // Two passes, each off by at most bound(n) ||x|| in norm.
        assertTrue(Math.sqrt(diff) <= 2.1 * bound(n) * norm(x), "n=" + n + " error " + Math.sqrt(diff));
    }

    @Property(tries = 200)
    void isLinear(@ForAll @IntRange(min = 1, max = 12) int k, @ForAll long seed,
                  @ForAll @LongRange(min = -8, max = 8) long a) {
        int n = 1 << k;
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = HadamardReferenceTest.randomFloats(r, n);
        float[] z = HadamardReferenceTest.randomFloats(r, n);
        float[] combo = new float[n];
        for (int i = 0; i < n; i++) combo[i] = a * x[i] + z[i];
        Hadamard h = op(n, seed, false);
        float[] hx = h.apply(x, 1, n), hz = h.apply(z, 1, n), hc = h.apply(combo, 1, n);
        double diff = 0, size = 0;
        for (int i = 0; i < n; i++) {
            diff += Math.pow((double) hc[i] - ((double) a * hx[i] + hz[i]), 2);
        }
        // H(ax+z) vs aH(x)+H(z): the rounding of combo (u per element) plus three transforms' errors.
        size = Math.abs(a) * norm(x) + norm(z);
        assertTrue(Math.sqrt(diff) <= (3 * bound(n) + 2 * U) * size,
                "n=" + n + " a=" + a + " error " + Math.sqrt(diff) + " size " + size);
    }
}
