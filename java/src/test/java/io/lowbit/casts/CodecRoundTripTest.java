package io.lowbit.casts;

import io.lowbit.ElementFormat;
import io.lowbit.backend.scalar.ScalarCodec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every code of every format: decode is exact (2.5) and encode inverts it (2.2, 2.3). */
class CodecRoundTripTest {

    @Test
    void decodeMatchesTheFormatTableOnEveryCode() {
        for (ElementFormat f : ElementFormat.values()) {
            for (int c = 0; c < f.codeCount(); c++) {
                float got = ScalarCodec.decode(f, c);
                if (FormatModel.isFinite(f, c)) {
                    assertEquals(FormatModel.value(f, c), got, 0.0, f + " code " + c);
                    assertEquals(Float.floatToRawIntBits((float) FormatModel.value(f, c)), Float.floatToRawIntBits(got),
                            f + " code " + c + " (sign of zero)");
                }
            }
            // the "max finite" column of contract 2.1
            assertEquals(f.maxFinite(), ScalarCodec.decode(f, FormatModel.maxCode(f)), 0.0, f + " max");
        }
    }

    @Test
    void encodeOfDecodeIsTheIdentityOnFiniteCodes() {
        for (ElementFormat f : ElementFormat.values()) {
            for (int c = 0; c < f.codeCount(); c++) {
                if (!FormatModel.isFinite(f, c)) continue;
                float v = ScalarCodec.decode(f, c);
                for (boolean saturate : new boolean[] {false, true}) {
                    assertEquals(c, ScalarCodec.encode(f, v, saturate), f + " code " + c + " saturate " + saturate);
                    for (int word : new int[] {0, -1, 0x12345678}) {   // exact values are never randomized
                        assertEquals(c, ScalarCodec.encode(f, v, 0, saturate, true, word), f + " SR code " + c);
                    }
                }
            }
        }
    }

    @Test
    void nonFiniteCodesDecodeToNanOrInfAndReencodeCanonically() {
        int nonFinite = 0;
        for (ElementFormat f : ElementFormat.values()) {
            for (int c = 0; c < f.codeCount(); c++) {
                if (FormatModel.isFinite(f, c)) continue;
                nonFinite++;
                float v = ScalarCodec.decode(f, c);
                boolean negative = Float.floatToRawIntBits(v) < 0;
                if (f == ElementFormat.INT8) {            // 0x80 = -128 is outside -127..127
                    assertEquals(0x81, ScalarCodec.encode(f, v, false));
                } else if (Float.isInfinite(v)) {
                    assertTrue(f == ElementFormat.E5M2 || f == ElementFormat.FP16 || f == ElementFormat.BF16, f + " has no Inf");
                    assertEquals(c, ScalarCodec.encode(f, v, false), f + " Inf code " + c);
                    assertEquals(FormatModel.overflowCode(f, negative, true), ScalarCodec.encode(f, v, true));
                } else {
                    assertTrue(Float.isNaN(v), f + " code " + c + " decodes to " + v);
                    for (boolean saturate : new boolean[] {false, true}) {
                        assertEquals(FormatModel.nanCode(f, negative), ScalarCodec.encode(f, v, saturate),
                                f + " NaN code " + c + " re-encodes to the canonical NaN of 2.3");
                    }
                }
            }
        }
        // from the table of 2.1: E4M3 2, E5M2 6 NaN + 2 Inf, INT8 1 (0x80), E8M0 1, UE4M3 129 (0x7F and the
        // sign-bit codes), UE5M3 1, BF16 2 x 128, FP16 2 x 1024
        assertEquals(2 + 8 + 1 + 1 + 129 + 1 + 256 + 2048, nonFinite);
    }

    @Test
    void positiveValuesAreStrictlyIncreasingInTheCode() {
        for (ElementFormat f : ElementFormat.values()) {
            double[] v = FormatModel.candidates(f);
            for (int i = 1; i < v.length; i++) assertTrue(v[i - 1] < v[i], f + " at " + i);
        }
    }
}
