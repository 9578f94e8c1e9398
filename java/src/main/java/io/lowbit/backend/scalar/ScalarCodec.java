package io.lowbit.backend.scalar;

import io.lowbit.ElementFormat;

/**
 * The reference encoder and decoder of contract section 2, one element at a time.
 *
 * <p>Every other implementation (vectorized Java, CUDA) is tested against this class bit
 * for bit, so it is written for reading, not speed. The idea, as in the JDK's
 * {@code Float.floatToFloat16}: split the float32 input into an integer significand M and
 * a power of two, so that the value to encode is exactly {@code M * 2^k}; the target
 * format's representable magnitudes near it are the integer multiples of one quantum
 * {@code 2^q}; divide (a shift) and round the integer quotient. Nothing is rounded before
 * that one rounding, so the result is exact RNE (or exact stochastic rounding).
 *
 * <p>Magnitude codes of the minifloats are monotonic in the value, and
 * {@code code = ((ev - emin) << m) + N} for a magnitude {@code N * 2^(ev-m)} with
 * {@code ev >= emin}: subnormals (N &lt; 2^m), normals and the carry into the next
 * binade all come out of that one formula.
 */
public final class ScalarCodec {
    private ScalarCodec() {}

    /** E8M0 code 0: 2^-127, a float32 subnormal (contract 2.1: built explicitly). */
    public static final float E8M0_MIN = Float.intBitsToFloat(0x00400000);

    /** Round to nearest even, no scaling. */
    public static int encode(ElementFormat f, float x, boolean saturate) {
        return encode(f, x, 0, saturate, false, 0);
    }

    /**
     * Encodes {@code x * 2^-scaleExp} (the product taken exactly, as MX block quantization
     * needs, contract 4.3) to format {@code f}.
     *
     * @param stochastic  false: round to nearest even (2.2); true: stochastic rounding (2.4)
     *                    with {@code randomWord} as the unsigned 32-bit random word
     * @return the code, in the low bits of the int
     */
    public static int encode(ElementFormat f, float x, int scaleExp, boolean saturate,
                             boolean stochastic, int randomWord) {
        int bits = Float.floatToRawIntBits(x);
        boolean negative = bits < 0;
        int biasedExp = (bits >>> 23) & 0xFF;
        int fraction = bits & 0x7FFFFF;

        if (biasedExp == 0xFF) {
            return fraction != 0 ? nanCode(f, negative) : overflowCode(f, negative, saturate);
        }
        if (f == ElementFormat.E8M0) {
            return encodeE8M0(x, scaleExp, saturate, stochastic, randomWord);
        }
        if (!f.signed() && negative && (biasedExp | fraction) != 0) {
            return nanCode(f, false);   // UE4M3/UE5M3: a negative nonzero input is NaN
        }
        int sign = (negative && f.signed() && f != ElementFormat.INT8) ? 1 << (f.bits() - 1) : 0;
        if ((biasedExp | fraction) == 0) {
            return sign;   // signed zero
        }

        // |x| * 2^-scaleExp = sig * 2^(exp2), sig a 24-bit (or smaller, subnormal) integer.
        long sig = biasedExp == 0 ? fraction : (fraction | 0x800000);
        int exp2 = (biasedExp == 0 ? -149 : biasedExp - 150) - scaleExp;

        // The quantum of the target's representable values around this magnitude:
        // 2^(ev - m) with ev = max(exponent of the value, smallest normal exponent).
        int m = f.mantissaBits();
        int quantumExp;
        int emin;
        if (f == ElementFormat.INT8) {
            quantumExp = -6;              // a fixed-point grid: code x 2^-6
            emin = 0;
        } else {
            emin = 1 - f.bias();
            int valueExp = (63 - Long.numberOfLeadingZeros(sig)) + exp2;
            quantumExp = Math.max(valueExp, emin) - m;
        }

        // N = floor(value / 2^quantumExp), with the dropped bits kept for rounding.
        int shift = exp2 - quantumExp;
        long n;
        boolean roundUp;
        if (shift >= 0) {
            n = sig << Math.min(shift, 38);  // exact; shift > 0 only for INT8 and stays small
            roundUp = false;
        } else {
            int drop = -shift;
            long floor = drop >= 63 ? 0 : sig >>> drop;
            long rest = drop >= 63 ? sig : sig & ((1L << drop) - 1);   // value - floor, in units of 2^-drop
            n = floor;
            if (rest == 0) {
                roundUp = false;          // exactly representable: never randomized
            } else if (stochastic) {
                // F = floor(2^32 * rest / 2^drop), exact (contract 2.4)
                long fixed = drop <= 32 ? rest << (32 - drop) : (drop - 32 >= 63 ? 0 : rest >>> (drop - 32));
                roundUp = Integer.toUnsignedLong(randomWord) < fixed;
            } else {
                // Compare rest with half a quantum, 2^(drop-1).
                int cmp = drop - 1 >= 63 ? -1 : Long.compare(rest, 1L << (drop - 1));
                roundUp = cmp > 0 || (cmp == 0 && (floor & 1) == 1);
            }
        }
        if (roundUp) n++;

        if (f == ElementFormat.INT8) {
            if (n > 127) n = 127;         // INT8 always saturates (no Inf, no NaN)
            return (int) (negative ? -n : n) & 0xFF;
        }
        long magnitude = ((long) (quantumExp + m - emin) << m) + n;
        if (magnitude > maxMagnitudeCode(f)) {
            return overflowCode(f, negative, saturate);
        }
        return sign | (int) magnitude;
    }

    /** E8M0: the nearest power of two, ties to the larger (contract 2.2). */
    private static int encodeE8M0(float x, int scaleExp, boolean saturate, boolean stochastic, int word) {
        int bits = Float.floatToRawIntBits(x);
        if (bits < 0 || bits == 0) {
            return 0xFF;                  // zero and negatives (NaN is handled by the caller)
        }
        int biasedExp = (bits >>> 23) & 0xFF;
        int fraction = bits & 0x7FFFFF;
        // normalize subnormals: value = 1.f * 2^e
        int e;
        long frac23;
        if (biasedExp == 0) {
            int lead = 31 - Integer.numberOfLeadingZeros(fraction);   // fraction = 2^lead + rest
            e = lead - 149;
            frac23 = ((long) fraction - (1L << lead)) << (23 - lead);
        } else {
            e = biasedExp - 127;
            frac23 = fraction;
        }
        e -= scaleExp;
        boolean up;
        if (stochastic) {
            up = frac23 != 0 && Integer.toUnsignedLong(word) < (frac23 << 9);
        } else {
            up = frac23 >= (1L << 22);   // half or more of the way to the next power: up
        }
        if (up) e++;
        if (e > 127) return saturate ? 0xFE : 0xFF;
        if (e < -127) return 0;
        return e + 127;
    }

    /** Largest finite magnitude code (sign bit clear). */
    static int maxMagnitudeCode(ElementFormat f) {
        switch (f) {
            case E2M1: return 0x7;
            case E2M3: case E3M2: return 0x1F;
            case E4M3: case UE4M3: return 0x7E;
            case E5M2: return 0x7B;
            case UE5M3: return 0xFE;
            case BF16: return 0x7F7F;
            case FP16: return 0x7BFF;
            case INT8: return 0x7F;
            case E8M0: return 0xFE;
            default: throw new AssertionError(f);
        }
    }

    /** Contract 2.3: the NaN code, or the positive maximum for formats without NaN. */
    static int nanCode(ElementFormat f, boolean negative) {
        int sign = negative ? 1 << (f.bits() - 1) : 0;
        switch (f) {
            case E4M3: return sign | 0x7F;
            case E5M2: return sign | 0x7E;
            case BF16: return sign | 0x7FC0;
            case FP16: return sign | 0x7E00;
            case E8M0: case UE5M3: return 0xFF;
            case UE4M3: return 0x7F;
            default: return maxMagnitudeCode(f);   // E2M1, E2M3, E3M2, INT8: positive maximum
        }
    }

    /** Contract 2.2: beyond the largest finite value (or +-Inf). */
    static int overflowCode(ElementFormat f, boolean negative, boolean saturate) {
        if (f == ElementFormat.E8M0) return saturate && !negative ? 0xFE : 0xFF;
        if (!f.signed() && negative) return nanCode(f, false);
        if (f == ElementFormat.INT8) return negative ? 0x81 : 0x7F;     // -127, 127
        int sign = (negative && f.signed()) ? 1 << (f.bits() - 1) : 0;
        if (saturate) return sign | maxMagnitudeCode(f);
        switch (f) {
            case E4M3: case UE4M3: case UE5M3: return nanCode(f, negative);
            case E5M2: return sign | 0x7C;
            case BF16: return sign | 0x7F80;
            case FP16: return sign | 0x7C00;
            default: return sign | maxMagnitudeCode(f);   // E2M1, E2M3, E3M2 always saturate
        }
    }

    /** Contract 2.5: the exact value of a code, as float32. */
    public static float decode(ElementFormat f, int code) {
        code &= (1 << f.bits()) - 1;
        switch (f) {
            case BF16: return Float.intBitsToFloat(code << 16);
            case INT8: return Math.scalb((float) (byte) code, -6);
            case E8M0:
                if (code == 0xFF) return Float.NaN;
                return code == 0 ? E8M0_MIN : Float.intBitsToFloat(code << 23);
            default: break;
        }
        int signBit = f.signed() ? 1 << (f.bits() - 1) : 0;
        boolean negative = (code & signBit) != 0;
        int magnitude = code & ~signBit;
        if (magnitude > maxMagnitudeCode(f)) {
            // beyond the largest finite code: Inf for E5M2/FP16, NaN otherwise
            boolean inf = (f == ElementFormat.E5M2 && magnitude == 0x7C) || (f == ElementFormat.FP16 && magnitude == 0x7C00);
            if (inf) return negative ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
            return Float.NaN;
        }
        int m = f.mantissaBits();
        int expField = magnitude >>> m;
        int mant = magnitude & ((1 << m) - 1);
        float v = expField == 0
                ? Math.scalb((float) mant, 1 - f.bias() - m)
                : Math.scalb((float) ((1 << m) + mant), expField - f.bias() - m);
        return negative ? -v : v;
    }
}
