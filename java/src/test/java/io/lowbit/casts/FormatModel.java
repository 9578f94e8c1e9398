package io.lowbit.casts;

import io.lowbit.ElementFormat;

import java.math.BigDecimal;

/**
 * An independent model of the formats of contract 2.1, written from the table (not from
 * ScalarCodec): exact values of every code in double, the canonical NaN and overflow codes
 * of 2.2/2.3. Tests compare the reference against this, so the reference is not checked
 * against itself.
 */
final class FormatModel {
    private FormatModel() {}

    /** Largest finite magnitude code, from the contract's "max finite" column. */
    static int maxCode(ElementFormat f) {
        switch (f) {
            case E2M1: return 0x7;
            case E2M3: case E3M2: return 0x1F;
            case E4M3: case UE4M3: return 0x7E;
            case E5M2: return 0x7B;
            case UE5M3: return 0xFE;
            case INT8: return 0x7F;
            case E8M0: return 0xFE;
            case BF16: return 0x7F7F;
            case FP16: return 0x7BFF;
            default: throw new AssertionError(f);
        }
    }

    static int signBit(ElementFormat f) {
        return f.signed() && f != ElementFormat.INT8 ? 1 << (f.bits() - 1) : 0;
    }

    /** True for a code that is neither NaN nor infinite (INT8 0x80 = -128 is not a code: excluded). */
    static boolean isFinite(ElementFormat f, int code) {
        if (f == ElementFormat.INT8) return code != 0x80;
        return (code & ~signBit(f)) <= maxCode(f);
    }

    /** The exact value of a finite code, in double (all formats fit exactly). */
    static double value(ElementFormat f, int code) {
        if (!isFinite(f, code)) throw new IllegalArgumentException("not finite: " + code);
        switch (f) {
            case INT8: return ((byte) code) / 64.0;
            case E8M0: return Math.scalb(1.0, code - 127);
            default: break;
        }
        int sign = signBit(f);
        int magnitude = code & ~sign;
        int m = f.mantissaBits();
        int expField = magnitude >>> m;
        int mant = magnitude & ((1 << m) - 1);
        double v = expField == 0
                ? Math.scalb((double) mant, 1 - f.bias() - m)
                : Math.scalb((double) ((1 << m) + mant), expField - f.bias() - m);
        return (code & sign) != 0 ? -v : v;
    }

    /**
     * The magnitude one step past the largest finite value, in the largest binade's
     * spacing (where an unbounded exponent range would put the next code).
     */
    static double beyondMax(ElementFormat f) {
        if (f == ElementFormat.INT8) return 128 / 64.0;
        if (f == ElementFormat.E8M0) return 0x1p128;
        double max = value(f, maxCode(f));
        int topExp = Math.getExponent(max);
        return max + Math.scalb(1.0, topExp - f.mantissaBits());
    }

    /** Contract 2.3. */
    static int nanCode(ElementFormat f, boolean negative) {
        int s = negative ? signBit(f) : 0;
        switch (f) {
            case E4M3: return s | 0x7F;
            case E5M2: return s | 0x7E;
            case BF16: return s | 0x7FC0;
            case FP16: return s | 0x7E00;
            case E8M0: case UE5M3: return 0xFF;
            case UE4M3: return 0x7F;
            case E2M1: return 0x07;
            case E2M3: case E3M2: return 0x1F;
            case INT8: return 0x7F;
            default: throw new AssertionError(f);
        }
    }

    /** Contract 2.2: the code of a signed magnitude beyond max finite (or Inf). */
    static int overflowCode(ElementFormat f, boolean negative, boolean saturate) {
        int s = negative ? signBit(f) : 0;
        switch (f) {
            case E2M1: case E2M3: case E3M2: return s | maxCode(f);       // no Inf, no NaN: always saturate
            case INT8: return negative ? 0x81 : 0x7F;
            case E4M3: return saturate ? s | 0x7E : s | 0x7F;
            case E5M2: return saturate ? s | 0x7B : s | 0x7C;
            case BF16: return saturate ? s | 0x7F7F : s | 0x7F80;
            case FP16: return saturate ? s | 0x7BFF : s | 0x7C00;
            case UE4M3: return negative ? 0x7F : saturate ? 0x7E : 0x7F;
            case UE5M3: return negative ? 0xFF : saturate ? 0xFE : 0xFF;
            case E8M0: return !negative && saturate ? 0xFE : 0xFF;
            default: throw new AssertionError(f);
        }
    }

    /** All finite non-negative magnitudes' codes, ascending in value. */
    static int[] nonNegativeCodes(ElementFormat f) {
        int count = 0;
        int[] out = new int[f.codeCount()];
        for (int c = 0; c < f.codeCount(); c++) {
            if (isFinite(f, c) && (c & signBit(f)) == 0 && !(f == ElementFormat.INT8 && c >= 0x80)) {
                out[count++] = c;
            }
        }
        int[] r = java.util.Arrays.copyOf(out, count);
        // codes of non-negative values are monotonic in the value for every format here
        return r;
    }

    static BigDecimal exact(double v) { return new BigDecimal(v); }

    static BigDecimal exact(float v) { return new BigDecimal(v); }

    // ---- brute-force rounding, from the contract text ----

    /** Candidate magnitudes of f, ascending, plus {@link #beyondMax} as the last one. */
    static double[] candidateValues(ElementFormat f) {
        int[] codes = nonNegativeCodes(f);
        double[] v = new double[codes.length + 1];
        for (int i = 0; i < codes.length; i++) v[i] = value(f, codes[i]);
        v[codes.length] = beyondMax(f);
        return v;
    }

    private static final java.util.Map<ElementFormat, double[]> VALUES = new java.util.EnumMap<>(ElementFormat.class);
    private static final java.util.Map<ElementFormat, int[]> CODES = new java.util.EnumMap<>(ElementFormat.class);

    static synchronized double[] candidates(ElementFormat f) {
        return VALUES.computeIfAbsent(f, FormatModel::candidateValues);
    }

    static synchronized int[] candidateCodes(ElementFormat f) {
        // the one past max gets code maxCode + 1, for its parity in the tie rule
        return CODES.computeIfAbsent(f, g -> {
            int[] codes = nonNegativeCodes(g);
            int[] c = java.util.Arrays.copyOf(codes, codes.length + 1);
            c[codes.length] = maxCode(g) + 1;
            return c;
        });
    }

    /**
     * Contract 2.2 by brute force: the candidate nearest to |x| over the whole list,
     * distances compared exactly (BigDecimal on the near-tie shortlist), ties to the even code
     * (E8M0: ties to the larger).
     */
    static int expectedRne(ElementFormat f, float x, boolean saturate) {
        Integer special = special(f, x, saturate);
        if (special != null) return special;
        double mag = Math.abs((double) x);
        double[] v = candidates(f);
        int[] codes = candidateCodes(f);
        double best = Double.POSITIVE_INFINITY;
        for (double c : v) best = Math.min(best, Math.abs(mag - c));
        BigDecimal exactMag = exact(mag);
        int chosen = -1;
        BigDecimal chosenDist = null;
        for (int i = 0; i < v.length; i++) {
            double d = Math.abs(mag - v[i]);
            if (d > best * (1 + 1e-9)) continue;   // clearly farther; only near-ties go to the exact compare
            BigDecimal exactDist = exactMag.subtract(exact(v[i])).abs();
            int cmp = chosenDist == null ? -1 : exactDist.compareTo(chosenDist);
            boolean better = cmp < 0 || (cmp == 0 && (f == ElementFormat.E8M0 ? v[i] > v[chosen] : (codes[i] & 1) == 0));
            if (better) {
                chosen = i;
                chosenDist = exactDist;
            }
        }
        if (f == ElementFormat.E8M0 && mag < 0x1p-127) return 0;
        return withSign(f, x, codes[chosen], saturate);
    }

    /** Contract 2.4 by brute force: lo/hi from the list, F exactly with BigDecimal. */
    static int expectedStochastic(ElementFormat f, float x, boolean saturate, int word) {
        Integer special = special(f, x, saturate);
        if (special != null) return special;
        double mag = Math.abs((double) x);
        if (f == ElementFormat.E8M0 && mag < 0x1p-127) return 0;   // "below 2^-127 -> code 0"
        double[] v = candidates(f);
        int[] codes = candidateCodes(f);
        int lo = floorIndex(v, mag);
        if (v[lo] == mag || lo == v.length - 1) return withSign(f, x, codes[lo], saturate);   // exact, or past max
        long fixed = stochasticThreshold(mag, v[lo], v[lo + 1]);
        boolean up = Integer.toUnsignedLong(word) < fixed;
        return withSign(f, x, codes[up ? lo + 1 : lo], saturate);
    }

    /** F = floor(2^32 (|x| - lo) / (hi - lo)), exactly. */
    static long stochasticThreshold(double mag, double lo, double hi) {
        return exact(mag).subtract(exact(lo)).multiply(BigDecimal.valueOf(1L << 32))
                .divide(exact(hi).subtract(exact(lo)), 0, java.math.RoundingMode.FLOOR).longValueExact();
    }

    /** The two candidates around |x| (lo <= |x| < hi), or null when |x| is beyond them all. */
    static double[] neighbours(ElementFormat f, float x) {
        double mag = Math.abs((double) x);
        double[] v = candidates(f);
        int lo = floorIndex(v, mag);
        return lo >= 0 && lo + 1 < v.length ? new double[] {v[lo], v[lo + 1]} : null;   // E8M0 has no 0: lo < 0 below 2^-127
    }

    /** Index of the largest candidate <= mag (the list is ascending and starts at 0). */
    private static int floorIndex(double[] v, double mag) {
        int i = java.util.Arrays.binarySearch(v, mag);
        return i >= 0 ? i : -i - 2;
    }

    /** NaN, Inf, zero, and the sign rules of the unsigned scale formats; null for ordinary inputs. */
    private static Integer special(ElementFormat f, float x, boolean saturate) {
        boolean negative = Float.floatToRawIntBits(x) < 0;
        if (Float.isNaN(x)) return nanCode(f, negative);
        if (f == ElementFormat.E8M0) {
            if (x == 0 || negative) return 0xFF;            // zero, negatives -> NaN code
            if (Float.isInfinite(x)) return overflowCode(f, false, saturate);
            return null;
        }
        if (!f.signed() && negative && x != 0) return nanCode(f, false);
        if (Float.isInfinite(x)) return overflowCode(f, negative, saturate);
        if (x == 0) return negative ? signBit(f) : 0;
        return null;
    }

    private static int withSign(ElementFormat f, float x, int magnitudeCode, boolean saturate) {
        boolean negative = Float.floatToRawIntBits(x) < 0;
        if (magnitudeCode > maxCode(f)) return overflowCode(f, negative, saturate);
        if (!negative) return magnitudeCode;
        if (f == ElementFormat.INT8) return (-magnitudeCode) & 0xFF;
        return signBit(f) | magnitudeCode;
    }
}
