package io.lowbit.cuda;

import io.lowbit.RandomStream;
import io.lowbit.backend.scalar.ScalarHadamard;
import io.lowbit.hadamard.Hadamard;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Hadamard kernel's schedule (registers, warp-shuffle stages, shared-memory stages:
 * lowbit_hadamard.cuh) replayed on the CPU vs ScalarHadamard, bit for bit, for every n in
 * 2..32768, signs none / given / random (drawn in the kernel from Philox), forward and
 * inverse, normalized or not.
 */
class HostHadamardCheckTest {
    private static final int NONE = 0, GIVEN = 1, RANDOM = 2;

    @BeforeEach
    void library() { NativeTestSupport.assumeLibrary(); }

    @Test
    void everySizeAndModeMatchesTheReference() {
        SplittableRandom rnd = new SplittableRandom(6);
        ScalarHadamard scalar = new ScalarHadamard();
        RandomStream stream = new RandomStream(1234, 0, 5);
        for (int n = 2; n <= 32768; n <<= 1) {
            int rows = n <= 1024 ? 3 : 1;
            int cols = n <= 256 ? 3 * n : n;   // several blocks per row where cheap
            float[] x = inputs(rnd, rows * cols, n >= 64 && n <= 256);
            float[] given = new float[n];
            for (int j = 0; j < n; j++) given[j] = rnd.nextBoolean() ? 1f : -1f;
            for (int signMode : new int[] {NONE, GIVEN, RANDOM}) {
                float[] signs = signMode == NONE ? null : signMode == GIVEN ? given : Hadamard.randomSigns(stream, n);
                for (boolean inverse : new boolean[] {false, true}) {
                    for (boolean normalize : new boolean[] {false, true}) {
                        String what = "n=" + n + " signs " + signMode + (inverse ? " inverse" : " forward")
                                + (normalize ? " normalized" : "");
                        float[] want = new float[x.length];
                        scalar.transform(x, want, rows, cols, n, normalize, inverse, signs);
                        float[] got = new float[x.length];
                        LowbitCuda.lb_host_hadamard(x, got, (long) rows * cols / n, n,
                                ScalarHadamard.scale(n, normalize, inverse), inverse ? 1 : 0, signMode,
                                signMode == GIVEN ? given : null, stream.seed(), stream.offset(), stream.stream());
                        assertArrayEquals(bits(want), bits(got), what);
                    }
                }
            }
        }
    }

    /** The schedule really is the transform: H applied twice is n times the identity (n <= 2^12: exact here). */
    @Test
    void unnormalizedTwiceIsNTimesTheInput() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (int n = 2; n <= 4096; n <<= 1) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = rnd.nextInt(-8, 9);   // small integers: every sum exact
            float[] once = new float[n], twice = new float[n];
            LowbitCuda.lb_host_hadamard(x, once, 1, n, 1f, 0, NONE, null, 0, 0, 0);
            LowbitCuda.lb_host_hadamard(once, twice, 1, n, 1f, 0, NONE, null, 0, 0, 0);
            for (int i = 0; i < n; i++) assertEquals(x[i] * n, twice[i], "n=" + n + " i=" + i);
        }
    }

    /** Moderate random values; with specials (NaN, Inf, zeros, subnormals, huge) when asked. */
    private static float[] inputs(SplittableRandom rnd, int count, boolean specials) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            int bits = rnd.nextInt();
            int k = specials ? rnd.nextInt(50) : 10;
            if (k == 0) x[i] = Float.NaN;
            else if (k == 1) x[i] = rnd.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            else if (k == 2) x[i] = rnd.nextBoolean() ? 0f : -0f;
            else if (k == 3) x[i] = Float.intBitsToFloat(bits & 0x807FFFFF);
            else if (k == 4) x[i] = Float.intBitsToFloat((bits & 0x807FFFFF) | (250 << 23));
            else x[i] = Float.intBitsToFloat((bits & 0x807FFFFF) | ((127 + rnd.nextInt(-12, 12)) << 23));
        }
        return x;
    }

    /**
     * Raw bits, with every NaN as Java's Float.NaN: the contract fixes that the result is NaN, not
     * which NaN (x86 and CUDA propagate different payloads).
     */
    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.isNaN(v[i]) ? 0x7FC00000 : Float.floatToRawIntBits(v[i]);
        return b;
    }
}
