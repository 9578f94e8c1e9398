package io.lowbit;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class CodebookTest {

    private static void assertAscendingWithin1(Codebook c, int size) {
        float[] v = c.values();
        assertEquals(size, v.length, c.name());
        for (int i = 1; i < v.length; i++) assertTrue(v[i - 1] < v[i] || (v[i - 1] == 0 && v[i] == 0), c.name() + " ascending at " + i);
        assertEquals(1f, v[v.length - 1], c.name() + " max is 1");
        for (float x : v) assertTrue(x >= -1f && x <= 1f);
        assertTrue(Arrays.binarySearch(v, 0f) >= 0 || c == Codebook.LINEAR4, c.name() + " contains 0");
    }

    @Test
    void dynamicMapsHave256SortedValuesWith0And1() {
        assertAscendingWithin1(Codebook.DYNAMIC_SIGNED, 256);
        assertAscendingWithin1(Codebook.DYNAMIC_UNSIGNED, 256);
        float[] u = Codebook.DYNAMIC_UNSIGNED.values();
        assertEquals(0f, u[0]);
        assertTrue(u[1] > 0);
    }

    @Test
    void signedMapIsSymmetricExceptForPlusOne() {
        float[] s = Codebook.DYNAMIC_SIGNED.values();
        // 127 negatives, 0, 127 positives, then 1 (bitsandbytes has no -1)
        assertEquals(0f, s[127]);
        for (int i = 0; i < 127; i++) assertEquals(-s[254 - i], s[i], "mirror of " + i);
        assertTrue(s[0] > -1f);
    }

    /** Every dynamic-map value is the float32 nearest to its exact rational (ties to even). */
    @Test
    void dynamicMapValuesAreCorrectlyRoundedRationals() {
        for (boolean signed : new boolean[] {true, false}) {
            float[] table = (signed ? Codebook.DYNAMIC_SIGNED : Codebook.DYNAMIC_UNSIGNED).values();
            int found = 0;
            for (int i = 0; i <= 6; i++) {
                long intervals = signed ? 1L << i : 1L << (i + 1);
                for (long k = 0; k < intervals; k++) {
                    // 10^(i-6) * (0.1 + 0.9 (2k+1) / (2 intervals)) = 10^(i-6) * (2 intervals + 9 (2k+1)) / (20 intervals)
                    BigDecimal exact = new BigDecimal(2 * intervals + 9 * (2 * k + 1))
                            .divide(new BigDecimal(20 * intervals), MathContext.UNLIMITED)
                            .scaleByPowerOfTen(i - 6);
                    float f = nearestBySearch(table, exact);
                    assertNearest(exact, f);
                    found++;
                    if (signed) assertTrue(Arrays.binarySearch(table, -f) >= 0);
                }
            }
            assertEquals(signed ? 127 : 254, found);
        }
    }

    private static float nearestBySearch(float[] table, BigDecimal exact) {
        float best = Float.NaN;
        BigDecimal err = null;
        for (float t : table) {
            BigDecimal e = exact.subtract(new BigDecimal(t)).abs();
            if (err == null || e.compareTo(err) < 0) { err = e; best = t; }
        }
        return best;
    }

    private static void assertNearest(BigDecimal exact, float f) {
        BigDecimal e = exact.subtract(new BigDecimal(f)).abs();
        BigDecimal halfUlp = new BigDecimal(Math.ulp(f)).divide(BigDecimal.valueOf(2));
        assertTrue(e.compareTo(halfUlp) <= 0, exact + " -> " + f);
    }

    @Test
    void fourBitDynamicMapMatchesHandDerivedValues() {
        // create_dynamic_map(signed=True, max_exponent_bits=3, total_bits=4): means of linspace(0.1, 1, n)
        // for n = 2, 3, 5 scaled by 0.01, 0.1, 1
        float[] pos = {0.0055f, 0.0325f, 0.0775f, 0.2125f, 0.4375f, 0.6625f, 0.8875f};
        float[] v = Codebook.DYNAMIC_SIGNED_4.values();
        assertEquals(16, v.length);
        for (float p : pos) {
            assertTrue(Arrays.binarySearch(v, p) >= 0, "has " + p);
            assertTrue(Arrays.binarySearch(v, -p) >= 0, "has " + -p);
        }
        assertEquals(1f, v[15]);
        assertEquals(0f, v[7]);
    }

    @Test
    void fourBitTables() {
        assertAscendingWithin1(Codebook.NF4, 16);
        assertEquals(-1f, Codebook.NF4.value(0));
        assertAscendingWithin1(Codebook.FP4, 16);
        float[] fp4 = Codebook.FP4.values();
        // bitsandbytes' FP4 magnitudes {0, 0.0625, 2, 3, 4, 6, 8, 12} / 12
        float[] mags = {0f, 0.0625f / 12, 2f / 12, 3f / 12, 4f / 12, 6f / 12, 8f / 12, 1f};
        for (int j = 0; j < 8; j++) {
            assertEquals(mags[j], fp4[8 + j]);
            assertEquals(-mags[j], fp4[7 - j]);
        }
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(fp4[7]));
        float[] lin = Codebook.LINEAR4.values();
        assertEquals(16, lin.length);
        for (int k = 1; k <= 16; k++) assertEquals(k / 16.0, lin[k - 1], 0.0);
    }

    @Test
    void midpointsAreFloat32MeansOfNeighbours() {
        for (String name : new String[] {"dynamic-signed", "dynamic-unsigned", "nf4", "fp4", "linear4", "dynamic-signed-4"}) {
            Codebook c = Codebook.byName(name);
            float[] m = c.midpoints();
            assertEquals(c.size() - 1, m.length);
            for (int j = 0; j < m.length; j++) {
                assertTrue(m[j] >= c.value(j) && m[j] <= c.value(j + 1));
                assertEquals((float) (((double) c.value(j) + c.value(j + 1)) / 2), m[j]);  // the float32 mean is the rounded exact mean
            }
        }
    }

    @Test
    void badTablesAndNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Codebook.byName("nf3"));
        assertThrows(IllegalArgumentException.class, () -> Codebook.of("x", new float[] {0.5f, 0.1f}));
        assertThrows(IllegalArgumentException.class, () -> Codebook.of("x", new float[] {0f, 2f}));
        assertThrows(IllegalArgumentException.class, () -> Codebook.of("x", new float[] {0f}));
    }

    @Test
    void searchStartsNeverOvershoot() {
        assertEquals(1, Codebook.DYNAMIC_SIGNED.searchSteps());  // so fast kernels take the one-compare path
        assertEquals(1, Codebook.DYNAMIC_UNSIGNED.searchSteps());
        for (Codebook c : new Codebook[] {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4}) {
            byte[] t = c.searchStarts();
            float[] m = c.midpoints();
            for (int k = 0; k < 1 << 16; k++) {
                float a = Float.intBitsToFloat(k << 16), b = Float.intBitsToFloat((k << 16) | 0xFFFF);
                if (a != a || b != b) continue;
                int start = t[k] & 0xFF;
                for (int j = 0; j < start; j++) assertTrue(m[j] < Math.min(a, b));
                int within = 0;  // midpoints inside the bucket: at most searchSteps
                for (float x : m) if (x >= Math.min(a, b) && x < Math.max(a, b)) within++;
                assertTrue(within <= c.searchSteps());
            }
        }
    }
}
