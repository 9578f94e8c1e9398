package io.lowbit.hadamard;

import io.lowbit.RandomStream;
import io.lowbit.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HadamardApiTest {
    private static void rejects(String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(argument + " "), "message names " + argument + ": " + e.getMessage());
    }

    @Test
    void badArgumentsAreRejectedNamingTheArgument() {
        for (int n : new int[] {-4, 0, 1, 3, 12, 65536, Integer.MIN_VALUE}) {
            rejects("n", () -> Hadamard.builder(n).build());
        }
        rejects("signs", () -> Hadamard.builder(4).signs(null));
        rejects("signs", () -> Hadamard.builder(4).signs(new float[] {1, -1, 1}).build());
        rejects("signs", () -> Hadamard.builder(4).signs(new float[] {1, -1, 1, 0.5f}).build());
        rejects("signs", () -> Hadamard.builder(4).signs(new float[] {1, -1, 1, Float.NaN}).build());
        rejects("random", () -> Hadamard.builder(4).randomSigns(null));
        rejects("backend", () -> Hadamard.builder(4).backend(null));
        Hadamard h = Hadamard.builder(4).build();
        rejects("x", () -> h.apply(null, 1, 4));
        rejects("x", () -> h.apply(new float[8], 1, 4));
        rejects("cols", () -> h.apply(new float[6], 1, 6));
        rejects("rows", () -> h.apply(new float[4], -1, -4));
        rejects("x", () -> h.applyInPlace(null, 0, 4));
        rejects("rows", () -> h.rotateColumns(new float[6], 6, 1));
        rejects("random", () -> Hadamard.randomSigns(null, 4));
        rejects("n", () -> Hadamard.randomSigns(RandomStream.of(1), 5));
    }

    @Test
    void emptyInputAndAccessors() {
        Hadamard h = Hadamard.builder(8).normalize(true).randomSigns(RandomStream.of(9)).build();
        assertEquals(0, h.apply(new float[0], 0, 8).length);
        assertEquals(0, h.apply(new float[0], 3, 0).length);
        assertEquals(Hadamard.Signs.RANDOM, h.signsKind());
        assertEquals(8, h.signs().length);
        assertTrue(h.inverse().isInverse());
        assertNull(Hadamard.builder(8).build().signs());
    }

    @Test
    void inPlaceEqualsApply() {
        float[] x = HadamardReferenceTest.randomFloats(new SplittableRandom(1), 3 * 256);
        Hadamard h = Hadamard.builder(128).normalize(true).randomSigns(RandomStream.of(5)).build();
        float[] y = h.apply(x, 3, 256);
        h.applyInPlace(x, 3, 256);
        assertArrayEquals(y, x);
    }

    @Test
    void roundTripErrorIsAFewUlps() {
        SplittableRandom r = new SplittableRandom(2);
        for (int n = 2; n <= Hadamard.MAX_N; n *= 2) {
            float[] x = HadamardReferenceTest.randomFloats(r, n);
            for (boolean normalize : new boolean[] {true, false}) {
                Hadamard h = Hadamard.builder(n).normalize(normalize).randomSigns(RandomStream.of(n)).build();
                double err = h.roundTripError(x, 1, n);
                // log2(n) roundings per pass, two passes, two scale roundings; errors relative to max|x|
                // can grow by sqrt(n) when the mass concentrates (bound, not an estimate).
                int k = Integer.numberOfTrailingZeros(n);
                assertTrue(err <= (2 * k + 2) * Math.ulp(1f) * Math.sqrt(n), "n=" + n + " err=" + err);
            }
        }
    }

    @Test
    void rotatingBothOperandsPreservesTheProduct() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 5, k = 256, p = 7, n = 64;
        float[] x = HadamardReferenceTest.randomFloats(r, m * k);
        float[] w = HadamardReferenceTest.randomFloats(r, k * p);
        Hadamard q = Hadamard.builder(n).normalize(true).randomSigns(RandomStream.of(11)).build();
        float[] xq = q.rotateRows(x, m, k);      // X·Q
        float[] qtw = q.rotateColumns(w, k, p);  // Qᵀ·W
        double[] want = matmul(x, w, m, k, p);
        double[] got = matmul(xq, qtw, m, k, p);
        double scale = 0;
        for (int i = 0; i < m * k; i++) scale = Math.max(scale, Math.abs(x[i]));
        double wmax = 0;
        for (float v : w) wmax = Math.max(wmax, Math.abs(v));
        for (int i = 0; i < want.length; i++) {
            // Each rotated entry is off by a few ulps; the sum of k products is off by about k of them.
            double tol = 16 * k * Math.ulp(1f) * scale * wmax;
            assertEquals(want[i], got[i], tol, "entry " + i);
        }
        // Not trivially equal: the rotation really changed the operands.
        assertTrue(Math.abs(xq[0] - x[0]) > 0 || Math.abs(xq[1] - x[1]) > 0);
        // The inverse op undoes each rotation.
        assertTrue(q.roundTripError(x, m, k) < 1e-5);
        float[] back = q.inverse().rotateColumns(qtw, k, p);
        for (int i = 0; i < w.length; i++) assertEquals(w[i], back[i], 1e-5 * wmax);
    }

    @Test
    void onAnotherBackendGivesTheSameBits() {
        float[] x = HadamardReferenceTest.randomFloats(new SplittableRandom(4), 2 * 1024);
        Hadamard h = Hadamard.builder(1024).normalize(true).randomSigns(RandomStream.of(6)).build();
        assertArrayEquals(h.on(Backends.scalar()).apply(x, 2, 1024), h.apply(x, 2, 1024));
    }

    private static double[] matmul(float[] a, float[] b, int m, int k, int p) {
        double[] c = new double[m * p];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < p; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) s += (double) a[i * k + t] * b[t * p + j];
                c[i * p + j] = s;
            }
        return c;
    }
}
