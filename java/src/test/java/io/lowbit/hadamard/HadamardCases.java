package io.lowbit.hadamard;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Bit-for-bit comparison of float arrays (any NaN matches any NaN, as in the vector format). */
final class HadamardCases {
    private HadamardCases() {}

    static void assertSameBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) && Float.isNaN(got[i])) continue;
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " expected " + want[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(want[i])) + ") got " + got[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(got[i])) + ")"
                        + (want.length <= 16 ? " " + Arrays.toString(got) : ""));
            }
        }
    }
}
