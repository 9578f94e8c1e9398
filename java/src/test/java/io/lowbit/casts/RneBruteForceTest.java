package io.lowbit.casts;

import io.lowbit.ElementFormat;
import io.lowbit.backend.scalar.ScalarCodec;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Contract 2.2/2.3: the reference's RNE equals a brute-force search for the nearest value
 * over the format's whole list of finite values (plus the one past max, for the overflow
 * rule), distances compared exactly, ties to the even code.
 */
class RneBruteForceTest {
    /** A NaN with the sign bit set (javac folds -Float.NaN to the positive canonical NaN). */
    private static final float NEGATIVE_NAN = Float.intBitsToFloat(0xFFC00000);

    @Property(tries = 200)
    void anyFloatBitPatternEveryFormat(@ForAll int bits, @ForAll boolean saturate) {
        float x = Float.intBitsToFloat(bits);
        for (ElementFormat f : ElementFormat.values()) check(f, x, saturate);
    }

    /** Values spread over the format's range, exact ties and their float neighbours. */
    @Property(tries = 200)
    void valuesAroundTheFormatsCodes(@ForAll ElementFormat f, @ForAll long seed, @ForAll boolean saturate) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int k = 0; k < 25; k++) check(f, CastInputs.sample(rnd, f), saturate);
    }

    private static void check(ElementFormat f, float x, boolean saturate) {
        assertEquals(FormatModel.expectedRne(f, x, saturate), ScalarCodec.encode(f, x, saturate),
                () -> f + " x=" + x + " (bits 0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + ") saturate=" + saturate);
    }

    /**
     * 464 is the midpoint of 448 (0x7E, mantissa 110) and 480 (0x7F if the exponent were
     * unbounded, mantissa 111): the tie goes to the even 448, as ml_dtypes does. Only inputs
     * above 464 overflow. (Contract 2.2's "464 or more" is off by the tie: the RNE rule of the
     * same section, and the ml_dtypes anchors, give 0x7E for exactly 464.)
     */
    @Example
    void e4m3TieAt464GoesToMaxFinite() {
        ElementFormat f = ElementFormat.E4M3;
        assertEquals(0x7E, ScalarCodec.encode(f, 464f, false));
        assertEquals(0xFE, ScalarCodec.encode(f, -464f, false));
        assertEquals(0x7F, ScalarCodec.encode(f, Math.nextUp(464f), false));
        assertEquals(0xFF, ScalarCodec.encode(f, -Math.nextUp(464f), false));
        assertEquals(0x7E, ScalarCodec.encode(f, Math.nextUp(464f), true));
        assertEquals(0x7F, ScalarCodec.encode(f, Float.POSITIVE_INFINITY, false));
        assertEquals(0x7E, ScalarCodec.encode(f, Float.POSITIVE_INFINITY, true));
    }

    @Example
    void overflowThresholdsOfContract22() {
        assertEquals(0x7B, ScalarCodec.encode(ElementFormat.E5M2, Math.nextDown(61440f), false));
        assertEquals(0x7C, ScalarCodec.encode(ElementFormat.E5M2, 61440f, false));        // "61440 and up" -> Inf
        assertEquals(0x7B, ScalarCodec.encode(ElementFormat.E5M2, 61440f, true));
        assertEquals(0x7C00, ScalarCodec.encode(ElementFormat.FP16, 65520f, false));      // 65504 + 16: tie to Inf
        assertEquals(0x7BFF, ScalarCodec.encode(ElementFormat.FP16, Math.nextDown(65520f), false));
        assertEquals(0x7F80, ScalarCodec.encode(ElementFormat.BF16, Float.intBitsToFloat(0x7F7F8000), false));
        assertEquals(0x7F7F, ScalarCodec.encode(ElementFormat.BF16, Float.MAX_VALUE, true));
        assertEquals(0x07, ScalarCodec.encode(ElementFormat.E2M1, 1e30f, false));          // no Inf: saturates
        assertEquals(0x0F, ScalarCodec.encode(ElementFormat.E2M1, Float.NEGATIVE_INFINITY, false));
        assertEquals(0xFE, ScalarCodec.encode(ElementFormat.UE5M3, 118784f, true));        // (114688+122880)/2
        assertEquals(0xFF, ScalarCodec.encode(ElementFormat.UE5M3, 118785f, false));
    }

    @Example
    void e8m0RulesOfContract22() {
        ElementFormat f = ElementFormat.E8M0;
        assertEquals(127, ScalarCodec.encode(f, 0.75f, false));          // tie -> larger (1)
        assertEquals(129, ScalarCodec.encode(f, 3f, false));             // tie -> larger (4)
        assertEquals(128, ScalarCodec.encode(f, Math.nextDown(3f), false));
        assertEquals(0, ScalarCodec.encode(f, 0x1p-140f, false));        // below 2^-127 -> code 0
        assertEquals(0, ScalarCodec.encode(f, Float.MIN_VALUE, true));
        for (float bad : new float[] {0f, -0f, -1f, Float.NEGATIVE_INFINITY, Float.NaN, NEGATIVE_NAN}) {
            assertEquals(0xFF, ScalarCodec.encode(f, bad, true), "E8M0 of " + bad);
        }
        assertEquals(0xFE, ScalarCodec.encode(f, Math.nextDown(0x1.8p127f), false));
        assertEquals(0xFF, ScalarCodec.encode(f, 0x1.8p127f, false));    // 1.5 x 2^127 and up: overflow
        assertEquals(0xFE, ScalarCodec.encode(f, 0x1.8p127f, true));
        assertEquals(0xFE, ScalarCodec.encode(f, Float.POSITIVE_INFINITY, true));
        assertEquals(0xFF, ScalarCodec.encode(f, Float.POSITIVE_INFINITY, false));
    }

    @Example
    void unsignedScalesAndFormatsWithoutNan() {
        for (boolean saturate : new boolean[] {false, true}) {
            assertEquals(0x7F, ScalarCodec.encode(ElementFormat.UE4M3, -1f, saturate));
            assertEquals(0x7F, ScalarCodec.encode(ElementFormat.UE4M3, -Float.MIN_VALUE, saturate));
            assertEquals(0x00, ScalarCodec.encode(ElementFormat.UE4M3, -0f, saturate));
            assertEquals(0xFF, ScalarCodec.encode(ElementFormat.UE5M3, -3f, saturate));
            assertEquals(0x00, ScalarCodec.encode(ElementFormat.UE5M3, -0f, saturate));
            for (float nan : new float[] {Float.NaN, NEGATIVE_NAN, Float.intBitsToFloat(0xFF800001)}) {
                assertEquals(0x07, ScalarCodec.encode(ElementFormat.E2M1, nan, saturate));
                assertEquals(0x1F, ScalarCodec.encode(ElementFormat.E2M3, nan, saturate));
                assertEquals(0x1F, ScalarCodec.encode(ElementFormat.E3M2, nan, saturate));
            }
        }
    }
}
