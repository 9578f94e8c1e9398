package io.lowbit.backend.scalar;

import io.lowbit.ElementFormat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Contract 5 re-done here with brute-force casts (nearest code over every code, binary64
 * distances) instead of ScalarCodec, and the tile bookkeeping written differently (tiles
 * first, then rows).
 */
class ScalarScaledTest {

    static int nearest(ElementFormat f, float v, int maxCode) {
        int best = -1;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int code = 0; code <= maxCode; code++) {
            double d = ScalarCodec.decode(f, code);
            double dist = Math.abs(d - v);
            if (dist < bestDist || (dist == bestDist && (code & 1) == 0)) {
                best = code;
                bestDist = dist;
            }
        }
        return best;
    }

    static int e2m1(float v) {
        int mag = nearest(ElementFormat.E2M1, Math.abs(v), 7);
        return (Float.floatToRawIntBits(v) < 0 ? 8 : 0) | mag;
    }

    void check(ElementFormat sf, boolean tile16, float[] x, int rows, int cols) {
        int nb = ScalarMx.ceilDiv(cols, 16);
        byte[] scales = new byte[rows * nb];
        byte[] codes = new byte[rows * cols];
        float[] deq = new float[rows * cols];
        float[] ts = new float[1];
        new ScalarMx().quantizeScaled(sf, tile16, null, x, rows, cols, scales, codes, deq, null, ts);

        float s = sf.maxFinite();
        float amaxT = 0;
        for (float v : x) amaxT = Math.max(amaxT, Math.abs(v));
        float encT = Math.min((s * 6f) / amaxT, Float.MAX_VALUE);
        float decT = 1f / encT;
        assertEquals(decT, ts[0]);
        int maxScaleCode = sf == ElementFormat.UE4M3 ? 0x7E : 0xFE;
        int tileRows = tile16 ? 16 : 1;
        for (int r0 = 0; r0 < rows; r0 += tileRows) {
            for (int b = 0; b < nb; b++) {
                float amax = 0;
                for (int r = r0; r < r0 + tileRows; r++) {
                    for (int c = b * 16; c < Math.min(cols, b * 16 + 16); c++) amax = Math.max(amax, Math.abs(x[r * cols + c]));
                }
                float d = Math.min(amax * (encT * (1f / 6f)), s);
                int scaleCode = nearest(sf, d, maxScaleCode);
                float scale = ScalarCodec.decode(sf, scaleCode);
                float encB = Math.min(1f / (scale * decT), Float.MAX_VALUE);
                for (int r = r0; r < r0 + tileRows; r++) {
                    assertEquals(scaleCode, scales[r * nb + b] & 0xFF, "scale of row " + r + " block " + b);
                    for (int c = b * 16; c < Math.min(cols, b * 16 + 16); c++) {
                        int i = r * cols + c;
                        float v = Math.max(-6f, Math.min(6f, x[i] * encB));
                        int code = e2m1(v);
                        assertEquals(code, codes[i] & 0xFF, "element " + i);
                        float want = (ScalarCodec.decode(ElementFormat.E2M1, code) * scale) * decT;
                        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(deq[i]), "element " + i);
                    }
                }
            }
        }
        float[] again = new float[rows * cols];
        new ScalarMx().dequantizeScaled(sf, ts[0], scales, codes, rows, cols, again);
        for (int i = 0; i < again.length; i++) {
            assertEquals(Float.floatToRawIntBits(deq[i]), Float.floatToRawIntBits(again[i]));
        }
    }

    @Test
    void matchesBruteForceSteps() {
        Random rnd = new Random(3);
        for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
            for (boolean tile16 : new boolean[] {false, true}) {
                int rows = 32, cols = tile16 ? 48 : 45;
                float[] x = new float[rows * cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(20) - 10));
                }
                for (int i = 0; i < 16; i++) x[3 * cols + i] = 0f;         // an all-zero block
                x[7] = Float.intBitsToFloat(1);                               // a subnormal
                check(sf, tile16, x, rows, cols);
                float[] tiny = new float[rows * cols];                        // amaxT subnormal: encT = FLT_MAX
                tiny[5] = Float.MIN_VALUE * 3;
                check(sf, tile16, tiny, rows, cols);
            }
        }
    }

    @Test
    void nanOrInfAnywhereMakesTheWholeTensorNan() {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] x = new float[32];
            for (int i = 0; i < 32; i++) x[i] = i;
            x[20] = bad;
            byte[] scales = new byte[2];
            byte[] codes = new byte[32];
            float[] deq = new float[32];
            float[] ts = new float[1];
            new ScalarMx().quantizeScaled(ElementFormat.UE4M3, false, null, x, 1, 32, scales, codes, deq, null, ts);
            assertTrue(Float.isNaN(ts[0]));
            assertEquals(0x7F, scales[0]);
            assertEquals(0x7F, scales[1]);
            for (int i = 0; i < 32; i++) {
                assertEquals(0, codes[i]);
                assertTrue(Float.isNaN(deq[i]));
            }
        }
    }
}
