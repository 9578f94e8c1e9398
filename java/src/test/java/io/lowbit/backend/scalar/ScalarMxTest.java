package io.lowbit.backend.scalar;

import io.lowbit.ElementFormat;
import io.lowbit.mx.ScaleMode;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference against independent computations: scale exponents from binary64
 * arithmetic (every float32 is a normal double, so Math.getExponent is exact), element codes
 * by brute force over every code of the format, dequantization by definition.
 */
class ScalarMxTest {
    static final ElementFormat[] ELEMS = {ElementFormat.E2M1, ElementFormat.E2M3, ElementFormat.E3M2,
            ElementFormat.E4M3, ElementFormat.E5M2, ElementFormat.INT8};

    /** Contract 4.2 in binary64: exact for float32 inputs. */
    static int expectedExponent(ElementFormat elem, ScaleMode mode, float amax) {
        if (!Float.isFinite(amax)) return ScalarMx.NAN_SCALE;
        if (amax == 0f) return -127;
        double a = amax;
        int emax = ScalarMx.emax(elem);
        int e;
        switch (mode) {
            case FLOOR: e = Math.getExponent(a) - emax; break;
            case CEIL: e = Math.getExponent(a) + (a == Math.scalb(1.0, Math.getExponent(a)) ? 0 : 1) - emax; break;
            case EVEN: {
                int m = elem.mantissaBits();
                double quantum = Math.scalb(1.0, Math.getExponent(a) - m);
                double r = Math.floor(a / quantum + 0.5) * quantum;   // half-up, exact in binary64
                e = Math.getExponent(r) - emax;
                break;
            }
            case RCEIL: {
                // smallest e with amax <= maxElem * 2^e, by search
                e = -400;
                while (a > Math.scalb((double) elem.maxFinite(), e)) e++;
                break;
            }
            default: throw new AssertionError();
        }
        if (e > 127) return ScalarMx.NAN_SCALE;
        return Math.max(e, -127);
    }

    static float randomMagnitude(Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0: return Float.intBitsToFloat(rnd.nextInt(0x00800000));                 // subnormal
            case 1: return Float.intBitsToFloat((rnd.nextInt(254) + 1) << 23);            // power of two
            case 2: return Float.intBitsToFloat(((rnd.nextInt(254) + 1) << 23) - 1 - rnd.nextInt(4)); // just below
            case 3: return Float.intBitsToFloat(((rnd.nextInt(254) + 1) << 23) | (1 << 22) | rnd.nextInt(64));
            default: return Float.intBitsToFloat(rnd.nextInt(0x7F800000));
        }
    }

    @Test
    void scaleExponentMatchesBinary64() {
        Random rnd = new Random(1);
        for (ElementFormat elem : ELEMS) {
            for (ScaleMode mode : ScaleMode.values()) {
                if (mode == ScaleMode.EVEN && elem == ElementFormat.INT8) continue;
                float[] special = {0f, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, Float.NaN,
                        Float.POSITIVE_INFINITY, Float.intBitsToFloat(0x3FFFFFFF), Float.intBitsToFloat(0x3F7FFFFF),
                        1f, 6f, 448f, 57344f, 127f / 64f, 7.5f, 28f, Float.intBitsToFloat(0x007FFFFF)};
                for (float a : special) {
                    assertEquals(expectedExponent(elem, mode, a), ScalarMx.scaleExponent(elem, mode, a),
                            elem + " " + mode + " amax bits " + Integer.toHexString(Float.floatToRawIntBits(a)));
                }
                for (int k = 0; k < 20000; k++) {
                    float a = randomMagnitude(rnd);
                    assertEquals(expectedExponent(elem, mode, a), ScalarMx.scaleExponent(elem, mode, a),
                            elem + " " + mode + " amax bits " + Integer.toHexString(Float.floatToRawIntBits(a)));
                }
            }
        }
    }

    @Test
    void justBelowAPowerOfTwoFloorsToTheLowerBinade() {
        // A float32 log2(0x3FFFFFFF = 1.99999988) rounds to 1.0; the exact floor is 0.
        assertEquals(0 - 2, ScalarMx.scaleExponent(ElementFormat.E2M1, ScaleMode.FLOOR, Float.intBitsToFloat(0x3FFFFFFF)));
        assertEquals(1 - 2, ScalarMx.scaleExponent(ElementFormat.E2M1, ScaleMode.CEIL, Float.intBitsToFloat(0x3FFFFFFF)));
        // rceil: 6 * 2^0 = 6 holds amax 6 exactly; a hair above needs 2^1
        assertEquals(0, ScalarMx.scaleExponent(ElementFormat.E2M1, ScaleMode.RCEIL, 6f));
        assertEquals(1, ScalarMx.scaleExponent(ElementFormat.E2M1, ScaleMode.RCEIL, Math.nextUp(6f)));
        // INT8 ceil of amax beyond 2^127 needs e = 128: NaN scale
        assertEquals(ScalarMx.NAN_SCALE, ScalarMx.scaleExponent(ElementFormat.INT8, ScaleMode.CEIL, Float.MAX_VALUE));
    }

    /** Round to nearest even by brute force over every code; saturating. */
    static int bruteForceCode(ElementFormat elem, double v) {
        int best = -1;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int code = 0; code < elem.codeCount(); code++) {
            if (elem == ElementFormat.INT8 && code == 0x80) continue;   // -128 is not an MX INT8 value
            double d = ScalarCodec.decode(elem, code);
            if (Double.isNaN(d) || Double.isInfinite(d)) continue;
            if (elem != ElementFormat.INT8 && d == 0 && Math.copySign(1.0, d) != Math.copySign(1.0, v)) continue;   // keep the zero's sign (INT8 has one zero)
            double dist = Math.abs(d - v);
            if (dist < bestDist || (dist == bestDist && evenCode(elem, code) && !evenCode(elem, best))) {
                best = code;
                bestDist = dist;
            }
        }
        return best;
    }

    private static boolean evenCode(ElementFormat elem, int code) {
        return elem == ElementFormat.INT8 ? ((byte) code & 1) == 0 : (code & 1) == 0;
    }

    @Test
    void elementsAreTheNearestCodeOfTheExactlyScaledValue() {
        Random rnd = new Random(2);
        int rows = 3, cols = 37, bs = 8;
        for (ElementFormat elem : ELEMS) {
            for (ScaleMode mode : ScaleMode.values()) {
                if (mode == ScaleMode.EVEN && elem == ElementFormat.INT8) continue;
                for (int axis : new int[] {-1, 0}) {
                    float[] x = new float[rows * cols];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(8) - 4));
                        if (i % 3 == 0) x[i] = (float) Math.scalb((double) (rnd.nextInt(512) - 256), rnd.nextInt(6) - 4);   // ties
                    }
                    x[5] = -0f;
                    x[6] = Float.intBitsToFloat(0x80000003);   // a negative subnormal
                    int nb = ScalarMx.ceilDiv(axis == 0 ? rows : cols, bs);
                    byte[] scales = new byte[axis == 0 ? nb * cols : rows * nb];
                    byte[] codes = new byte[x.length];
                    float[] deq = new float[x.length];
                    byte[] clip = new byte[x.length];
                    new ScalarMx().quantizeMx(elem, bs, axis, mode, null, x, rows, cols, scales, codes, deq, clip);
                    float[] deq2 = new float[x.length];
                    new ScalarMx().dequantizeMx(elem, bs, axis, scales, codes, rows, cols, deq2);
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < cols; c++) {
                            int i = r * cols + c;
                            int s = axis == 0 ? (r / bs) * cols + c : r * nb + c / bs;
                            int e = (scales[s] & 0xFF) - 127;
                            double v = Math.scalb((double) x[i], -e);
                            String where = elem + " " + mode + " axis " + axis + " element " + i + " x=" + x[i];
                            assertEquals(bruteForceCode(elem, v), codes[i] & 0xFF, where);
                            assertEquals((float) (ScalarCodec.decode(elem, codes[i]) * Math.scalb(1.0, e)), deq[i], where);
                            assertEquals(Float.floatToRawIntBits(deq[i]), Float.floatToRawIntBits(deq2[i]), where);
                            assertEquals(Math.abs(v) > elem.maxFinite() ? 1 : 0, clip[i], where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void nanOrInfBlockHasNanScaleZeroCodesNanValues() {
        float[] x = {1f, Float.NaN, 2f, 3f, 4f, Float.NEGATIVE_INFINITY, 5f, 6f, 7f};
        byte[] scales = new byte[3];
        byte[] codes = new byte[9];
        float[] deq = new float[9];
        new ScalarMx().quantizeMx(ElementFormat.E4M3, 3, -1, ScaleMode.FLOOR, null, x, 1, 9, scales, codes, deq, null);
        assertEquals(0xFF, scales[0] & 0xFF);
        assertEquals(0xFF, scales[1] & 0xFF);
        assertTrue((scales[2] & 0xFF) != 0xFF);
        for (int i = 0; i < 6; i++) {
            assertEquals(0, codes[i]);
            assertTrue(Float.isNaN(deq[i]));
        }
        for (int i = 6; i < 9; i++) assertEquals(x[i], deq[i]);   // 5, 6, 7 are E4M3 values
    }

    @Test
    void zeroBlockHasScaleMinus127() {
        float[] x = new float[4];
        x[1] = -0f;
        byte[] scales = new byte[1];
        byte[] codes = new byte[4];
        float[] deq = new float[4];
        new ScalarMx().quantizeMx(ElementFormat.E2M1, 32, -1, ScaleMode.CEIL, null, x, 1, 4, scales, codes, deq, null);
        assertEquals(0, scales[0]);
        assertEquals(8, codes[1]);   // negative zero keeps its sign
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(deq[1]));
    }
}
