package io.lowbit.simd;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.HadamardKernels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The simd backend's C++ kernel against the scalar reference, bit for bit: every Hadamard
 * size and option, in place and out of place, on awkward values (zeros, subnormals, huge
 * values, NaN, Inf), on tensors large enough to be split over threads. Skips only when the
 * build made no library (no g++, or -Dlowbit.simd=false) or the CPU lacks AVX2/FMA.
 */
class SimdBackendTest {
    private static Backend simd;
    private static final Backend REF = Backends.scalar();

    @BeforeAll
    static void load() throws Exception {
        String reason = SimdLibrary.loadFailure();
        if (reason != null) {
            if ("true".equals(System.getProperty("lowbit.simd.available")) && !reason.contains("lacks AVX2")) {
                fail("g++ was found at build time, so the SIMD library must load, but: " + reason);
            }
            Assumptions.abort("no SIMD kernels here: " + reason);
        }
        simd = new SimdBackendProvider().create();
    }

    /** Gaussians over a wide exponent range, with zeros, subnormals, powers of two and ties mixed in. */
    static float[] awkward(SplittableRandom r, int count) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            switch (r.nextInt(12)) {
                case 0: x[i] = 0f; break;
                case 1: x[i] = -0f; break;
                case 2: x[i] = Float.intBitsToFloat(r.nextInt(1, 0x00800000)) * (r.nextBoolean() ? 1 : -1); break;
                case 3: x[i] = (float) Math.scalb(r.nextBoolean() ? 1.0 : -1.0, r.nextInt(-20, 20)); break;
                case 4: x[i] = Math.nextDown((float) Math.scalb(1.0, r.nextInt(-10, 10))); break;
                case 5: x[i] = (float) Math.scalb(0.25 * r.nextInt(1, 32), r.nextInt(-6, 6)); break;   // E2M1 ties
                case 6: x[i] = Float.intBitsToFloat(r.nextInt() & 0x7F7FFFFF) * (r.nextBoolean() ? 1 : -1); break;
                default: x[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(-8, 8)));
            }
        }
        return x;
    }

    // ---- Hadamard ----

    @Test
    void hadamardMatchesReferenceForEverySizeAndOption() {
        SplittableRandom r = new SplittableRandom(11);
        HadamardKernels fast = simd.hadamard(), ref = REF.hadamard();
        for (int n = 2; n <= 32768; n <<= 1) {
            int blocks = Math.max(2, (1 << 17) / n);   // 2^17 floats or more: split over threads
            int cols = n * (n <= 64 ? 4 : 1), rows = blocks * n / cols;
            float[] x = awkward(r, rows * cols);
            float[] signs = new float[n];
            for (int i = 0; i < n; i++) signs[i] = r.nextBoolean() ? 1f : -1f;
            for (boolean normalize : new boolean[] {false, true}) {
                for (boolean inverse : new boolean[] {false, true}) {
                    for (float[] s : new float[][] {null, signs}) {
                        float[] want = new float[x.length];
                        ref.transform(x, want, rows, cols, n, normalize, inverse, s);
                        float[] got = new float[x.length];
                        fast.transform(x, got, rows, cols, n, normalize, inverse, s);
                        String what = "n=" + n + " normalize=" + normalize + " inverse=" + inverse + " signs=" + (s != null);
                        assertSameFloats(want, got, what + " (out of place)");
                        float[] inPlace = x.clone();
                        fast.transform(inPlace, inPlace, rows, cols, n, normalize, inverse, s);
                        assertSameFloats(want, inPlace, what + " (in place)");
                    }
                }
            }
        }
    }

    @Test
    void hadamardPropagatesNaNAndInfinity() {
        for (int n : new int[] {2, 8, 16, 256, 4096}) {
            float[] x = new float[4 * n];
            x[1] = Float.NaN;
            x[n + 3 % n] = Float.POSITIVE_INFINITY;
            x[2 * n] = Float.NEGATIVE_INFINITY;
            x[2 * n + 1] = Float.POSITIVE_INFINITY;
            float[] want = new float[x.length], got = new float[x.length];
            REF.hadamard().transform(x, want, 4, n, n, true, false, null);
            simd.hadamard().transform(x, got, 4, n, n, true, false, null);
            assertSameFloats(want, got, "n=" + n + " with NaN/Inf");
        }
    }

    /** Bit for bit; any NaN equals any NaN (x86 and the JIT may keep different payloads). */
    static void assertSameFloats(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) && Float.isNaN(got[i])) continue;
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " is " + got[i] + ", the reference gives " + want[i]);
            }
        }
    }

    @Test
    void backendIsChosenForCpuAndDescribesItself() {
        assertEquals("simd", simd.name());
        assertTrue(simd.description().contains("AVX2"), simd.description());
        assertEquals("simd", Backends.byName("cpu").name());
    }
}
