package io.lowbit;

import java.util.Locale;

/**
 * The element and scale formats of the numerics contract, section 2.1.
 *
 * <p>Codes sit in the low {@link #bits()} bits of a byte (a 16-bit word for BF16/FP16);
 * the sign, where the format has one, is the top bit of the code.
 */
public enum ElementFormat {
    //            bits expBits mantBits bias signed  max finite
    E2M1(4, 2, 1, 1, true, 6f),
    E2M3(6, 2, 3, 1, true, 7.5f),
    E3M2(6, 3, 2, 3, true, 28f),
    E4M3(8, 4, 3, 7, true, 448f),
    E5M2(8, 5, 2, 15, true, 57344f),
    /** MX INT8: two's complement, -127..127, value = code x 2^-6. */
    INT8(8, 0, 6, 0, true, 127f / 64f),
    /** Power-of-two scale: value 2^(code-127), code 0xFF is NaN. */
    E8M0(8, 8, 0, 127, false, 0x1p127f),
    /** NVFP4 block scale: E4M3 without sign bit. */
    UE4M3(8, 4, 3, 7, false, 448f),
    /** Unsigned E5M3 block scale; 0xFF is NaN, so 0xFE = 114688 is the maximum. */
    UE5M3(8, 5, 3, 15, false, 114688f),
    BF16(16, 8, 7, 127, true, Float.intBitsToFloat(0x7F7F0000)),
    FP16(16, 5, 10, 15, true, 65504f);

    private final int bits;
    private final int exponentBits;
    private final int mantissaBits;
    private final int bias;
    private final boolean signed;
    private final float maxFinite;

    ElementFormat(int bits, int exponentBits, int mantissaBits, int bias, boolean signed, float maxFinite) {
        this.bits = bits;
        this.exponentBits = exponentBits;
        this.mantissaBits = mantissaBits;
        this.bias = bias;
        this.signed = signed;
        this.maxFinite = maxFinite;
    }

    /** Width of a code in bits (4, 6, 8 or 16). */
    public int bits() { return bits; }
    public int exponentBits() { return exponentBits; }
    /** Explicit mantissa bits (for INT8: the 6 fraction bits of code x 2^-6). */
    public int mantissaBits() { return mantissaBits; }
    public int bias() { return bias; }
    public boolean signed() { return signed; }
    public float maxFinite() { return maxFinite; }
    /** True for BF16 and FP16, whose codes are 16-bit words. */
    public boolean isWide() { return bits == 16; }
    /** Number of distinct codes: 2^bits. */
    public int codeCount() { return 1 << bits; }

    /** Element formats an MX block may hold (contract section 4). */
    public boolean isMxElement() {
        return this == E2M1 || this == E2M3 || this == E3M2 || this == E4M3 || this == E5M2 || this == INT8;
    }

    /**
     * Parses a contract name ("E4M3", "e2m1", "INT8", "MXINT8", "bf16" ...).
     *
     * @throws IllegalArgumentException naming the argument and the accepted values
     */
    public static ElementFormat parse(String argName, String name) {
        if (name == null) {
            throw new IllegalArgumentException(argName + " must be one of " + names() + ", got null");
        }
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.equals("MXINT8")) n = "INT8";
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(argName + " must be one of " + names() + ", got '" + name + "'");
        }
    }

    public static ElementFormat parse(String name) { return parse("format", name); }

    private static String names() {
        StringBuilder sb = new StringBuilder();
        for (ElementFormat f : values()) sb.append(sb.length() == 0 ? "" : ", ").append(f.name());
        return sb.toString();
    }
}
