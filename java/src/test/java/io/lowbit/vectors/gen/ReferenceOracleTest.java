package io.lowbit.vectors.gen;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.scalar.ScalarCodec;
import io.lowbit.backend.scalar.ScalarRandom;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks the scalar reference that writes test-vectors/cast and test-vectors/random against
 * an oracle written separately from the contract's words: values from the format table
 * (2.1), RNE as "the nearest representable value" found by search over all values (2.2),
 * stochastic rounding with F computed in exact decimal arithmetic (2.4), NaN/overflow codes
 * from the tables (2.2-2.3), random-word counters in BigInteger (3). So the vectors are not
 * only the reference's opinion of itself.
 */
class ReferenceOracleTest {

    // ---- 2.1 / 2.5: values of codes ----

    /** The value of a code from the contract's table, computed in double; NaN for NaN codes. */
    static double contractValue(ElementFormat f, int code) {
        switch (f) {
            case E2M1: {
                double[] v = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
                return (code & 8) != 0 ? -v[code & 7] : v[code];
            }
            case INT8: return (byte) code / 64.0;
            case E8M0: return code == 0xFF ? Double.NaN : Math.pow(2, code - 127);
            default: break;
        }
        int e, m, bias;
        boolean signed = true;
        switch (f) {
            case E2M3: e = 2; m = 3; bias = 1; break;
            case E3M2: e = 3; m = 2; bias = 3; break;
            case E4M3: e = 4; m = 3; bias = 7; break;
            case E5M2: e = 5; m = 2; bias = 15; break;
            case UE4M3: e = 4; m = 3; bias = 7; signed = false; break;
            case UE5M3: e = 5; m = 3; bias = 15; signed = false; break;
            case BF16: e = 8; m = 7; bias = 127; break;
            case FP16: e = 5; m = 10; bias = 15; break;
            default: throw new AssertionError(f);
        }
        int bits = 1 + e + m;
        if (!signed && (code >>> (e + m)) != 0) return Double.NaN;   // unsigned: the top bit must be 0
        boolean neg = signed && (code >>> (bits - 1)) != 0;
        int ef = (code >>> m) & ((1 << e) - 1);
        int mf = code & ((1 << m) - 1);
        boolean allOnes = ef == (1 << e) - 1;
        // special codes of the table
        if (f == ElementFormat.E4M3 && allOnes && mf == 7) return Double.NaN;
        if (f == ElementFormat.UE4M3 && code == 0x7F) return Double.NaN;
        if (f == ElementFormat.UE5M3 && code == 0xFF) return Double.NaN;
        if ((f == ElementFormat.E5M2 || f == ElementFormat.BF16 || f == ElementFormat.FP16) && allOnes) {
            return mf == 0 ? (neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : Double.NaN;
        }
        double mag = ef == 0 ? mf * Math.pow(2, 1 - bias - m) : (1 + mf / Math.pow(2, m)) * Math.pow(2, ef - bias);
        return neg ? -mag : mag;
    }

    @Test
    void decodeMatchesTheContractTable() {
        for (ElementFormat f : ElementFormat.values()) {
            for (int c = 0; c < f.codeCount(); c++) {
                double want = contractValue(f, c);
                float got = ScalarCodec.decode(f, c);
                // NaN for NaN; otherwise the same double, sign of zero included (got is then exact in float32)
                boolean same = Double.isNaN(want) ? Float.isNaN(got)
                        : Double.doubleToRawLongBits(want) == Double.doubleToRawLongBits(got);
                if (!same) fail(f + " code " + c + ": contract " + want + ", reference " + got);
            }
        }
        // facts of the table: max finite and min subnormal
        Object[][] facts = {{ElementFormat.E2M1, 6.0, 0.5}, {ElementFormat.E2M3, 7.5, 0.125}, {ElementFormat.E3M2, 28.0, 0.0625},
                {ElementFormat.E4M3, 448.0, 0x1p-9}, {ElementFormat.E5M2, 57344.0, 0x1p-16}, {ElementFormat.INT8, 127 / 64.0, 1 / 64.0},
                {ElementFormat.UE4M3, 448.0, 0x1p-9}, {ElementFormat.UE5M3, 114688.0, 0x1p-17}, {ElementFormat.FP16, 65504.0, 0x1p-24}};
        for (Object[] fact : facts) {
            ElementFormat f = (ElementFormat) fact[0];
            List<Double> v = positives(f);
            assertEquals((double) fact[1], v.get(v.size() - 1), f + " max");
            assertEquals((double) fact[2], v.get(1), f + " min subnormal");
        }
        assertEquals(Float.intBitsToFloat(0x00400000), ScalarCodec.decode(ElementFormat.E8M0, 0));
    }

    // ---- the oracle ----

    /** Finite non-negative values of f, ascending (from the table, not from the codec). */
    private static List<Double> positives(ElementFormat f) {
        java.util.TreeSet<Double> v = new java.util.TreeSet<>();
        for (int c = 0; c < f.codeCount(); c++) {
            double d = contractValue(f, c);
            if (Double.isFinite(d) && Double.doubleToRawLongBits(d) >= 0) v.add(d);   // not -0, not negatives
        }
        return new ArrayList<>(v);
    }

    /** The oracle for one format: its values, their codes, and the contract's special codes. */
    static final class Oracle {
        final ElementFormat f;
        final double[] values;   // ascending, plus one step past max (exponent unbounded) at the end
        final int[] codes;       // magnitude code of each value; -1 for the step past max

        Oracle(ElementFormat f) {
            this.f = f;
            List<double[]> vc = new ArrayList<>();
            for (int c = 0; c < f.codeCount(); c++) {
                double d = contractValue(f, c);
                if (Double.isFinite(d) && Double.doubleToRawLongBits(d) >= 0 && (f != ElementFormat.INT8 || c < 0x80)) {
                    vc.add(new double[] {d, c});
                }
            }
            vc.sort((a, b) -> Double.compare(a[0], b[0]));
            int n = vc.size();
            values = new double[n + 1];
            codes = new int[n + 1];
            for (int i = 0; i < n; i++) {
                values[i] = vc.get(i)[0];
                codes[i] = (int) vc.get(i)[1];
            }
            double max = values[n - 1];
            values[n] = f == ElementFormat.E8M0 ? 2 * max : max + (max - values[n - 2]);
            codes[n] = -1;
        }

        int signBit() { return 1 << (f.bits() - 1); }

        int maxCode() { return codes[codes.length - 2]; }

        int nanCode(boolean neg) {   // contract 2.3
            int s = neg ? signBit() : 0;
            switch (f) {
                case E4M3: return s | 0x7F;
                case E5M2: return s | 0x7E;
                case BF16: return s | 0x7FC0;
                case FP16: return s | 0x7E00;
                case E8M0: case UE5M3: return 0xFF;
                case UE4M3: return 0x7F;
                case E2M1: return 0x07;
                case E2M3: case E3M2: return 0x1F;
                // 2.3 does not list INT8 (no NaN either); read as the other NaN-less formats: the positive maximum
                case INT8: return 0x7F;
                default: throw new AssertionError(f);
            }
        }

        int overflowCode(boolean neg, boolean saturate) {   // contract 2.2
            if (f == ElementFormat.E8M0) return saturate ? 0xFE : 0xFF;
            if (f == ElementFormat.INT8) return neg ? 0x81 : 0x7F;
            if (!f.signed() && neg) return nanCode(false);
            int s = neg ? signBit() : 0;
            if (saturate) return s | maxCode();
            switch (f) {
                case E4M3: case UE4M3: case UE5M3: return nanCode(neg);
                case E5M2: return s | 0x7C;
                case BF16: return s | 0x7F80;
                case FP16: return s | 0x7C00;
                default: return s | maxCode();   // E2M1, E2M3, E3M2 have neither Inf nor NaN
            }
        }

        int withSign(int magCode, boolean neg) {
            if (f == ElementFormat.INT8) return neg ? (-magCode) & 0xFF : magCode;
            return neg && f.signed() ? signBit() | magCode : magCode;
        }

        /** The expected code for x, with stochastic rounding when {@code word} is not null. */
        int encode(float x, boolean saturate, Long word) {
            boolean neg = Float.floatToRawIntBits(x) < 0;
            if (Float.isNaN(x)) return nanCode(neg);
            if (f == ElementFormat.E8M0 && (x == 0 || neg)) return 0xFF;
            if (!f.signed() && neg && x != 0) return nanCode(false);
            if (Float.isInfinite(x)) return overflowCode(neg, saturate);
            double a = Math.abs((double) x);
            if (f == ElementFormat.E8M0 && a < values[0]) return 0;   // below 2^-127
            int k = Arrays.binarySearch(values, a);
            int lo = k >= 0 ? k : -k - 2;   // largest value <= a
            if (lo == values.length - 1) return overflowCode(neg, saturate);   // at or past one step beyond max
            int pick;
            if (values[lo] == a) {
                pick = lo;
            } else if (word != null) {
                pick = BigInteger.valueOf(word).compareTo(threshold(a, lo)) < 0 ? lo + 1 : lo;
            } else {
                double mid = (values[lo] + values[lo + 1]) / 2;   // exact: two adjacent values of a narrow format
                if (a < mid) pick = lo;
                else if (a > mid) pick = lo + 1;
                else if (f == ElementFormat.E8M0) pick = lo + 1;   // ties to the larger power of two
                else pick = evenOf(lo);
            }
            if (codes[pick] < 0) return overflowCode(neg, saturate);
            return withSign(codes[pick], neg);
        }

        private double memoA = Double.NaN;
        private BigInteger memoF;

        /** F = floor(2^32 (a - lo) / (hi - lo)), exactly (the last one is kept: tests ask for several words). */
        private BigInteger threshold(double a, int lo) {
            if (a != memoA) {
                double ulp = values[lo + 1] - values[lo];   // exact: a power of two
                int k = Math.getExponent(ulp);
                if (Math.scalb(1.0, k) != ulp) fail(f + ": step " + ulp + " at " + values[lo] + " is not a power of two");
                // (a - lo) / ulp * 2^32 = (a - lo) * 2^(32-k), in exact decimal arithmetic
                memoF = new BigDecimal(a).subtract(new BigDecimal(values[lo]))
                        .multiply(new BigDecimal(Math.scalb(1.0, 32 - k))).toBigInteger();
                memoA = a;
            }
            return memoF;
        }

        /** Of the tie lo, lo+1: the one whose code ends in a 0 bit (the step past max counts as code max+1). */
        private int evenOf(int lo) {
            int hiCode = codes[lo + 1] < 0 ? maxCode() + 1 : codes[lo + 1];
            if ((codes[lo] & 1) == 0) return lo;
            if ((hiCode & 1) == 0) return lo + 1;
            throw new AssertionError(f + ": neighbours with odd codes " + codes[lo] + ", " + hiCode);
        }
    }

    // ---- 2.2: RNE ----

    private static float[] probeInputs(ElementFormat f, SplittableRandom r, int randomCount) {
        float[] edges = GenerateFoundationVectors.edgeInputs(f);
        float[] x = Arrays.copyOf(edges, edges.length + randomCount);
        double max = f.maxFinite();
        double logLo = Math.log(1e-3 * Math.max(1e-40, min(f))), logHi = Math.log(max * 1.3);
        for (int i = edges.length; i < x.length; i++) {
            if (i % 2 == 0) {
                x[i] = Float.intBitsToFloat(r.nextInt());   // any bit pattern
            } else {
                x[i] = (float) ((r.nextBoolean() ? -1 : 1) * Math.exp(r.nextDouble(logLo, logHi)));
            }
        }
        return x;
    }

    private static double min(ElementFormat f) {
        double[] v = new Oracle(f).values;
        return v[0] == 0 ? v[1] : v[0];
    }

    @Test
    void rneMatchesNearestValueSearch() {
        for (ElementFormat f : ElementFormat.values()) {
            Oracle o = new Oracle(f);
            SplittableRandom r = new SplittableRandom(f.ordinal() * 31L);
            for (float x : probeInputs(f, r, 4000)) {
                for (boolean saturate : new boolean[] {false, true}) {
                    int want = o.encode(x, saturate, null);
                    int got = ScalarCodec.encode(f, x, saturate);
                    if (want != got) {
                        fail(String.format("%s rne saturate=%s x=%s (0x%08x): oracle 0x%x, reference 0x%x",
                                f, saturate, x, Float.floatToRawIntBits(x), want, got));
                    }
                }
            }
        }
    }

    @Test
    void overflowThresholdsOfTheContract() {
        // ml_dtypes (the anchor) and the reference: 464 is a tie between 448 (code 0x7E, even) and 480 -> 448
        assertEquals(0x7E, ScalarCodec.encode(ElementFormat.E4M3, 464f, false));
        assertEquals(0x7F, ScalarCodec.encode(ElementFormat.E4M3, Math.nextUp(464f), false));
        assertEquals(0x7B, ScalarCodec.encode(ElementFormat.E5M2, Math.nextDown(61440f), false));
        assertEquals(0x7C, ScalarCodec.encode(ElementFormat.E5M2, 61440f, false));
        assertEquals(0x7BFF, ScalarCodec.encode(ElementFormat.FP16, Math.nextDown(65520f), false));
        assertEquals(0x7C00, ScalarCodec.encode(ElementFormat.FP16, 65520f, false));
        assertEquals(0x7F7F, ScalarCodec.encode(ElementFormat.BF16, Float.intBitsToFloat(0x7F7F7FFF), false));
        assertEquals(0x7F80, ScalarCodec.encode(ElementFormat.BF16, Float.intBitsToFloat(0x7F7F8000), false));
        assertEquals(0xFE, ScalarCodec.encode(ElementFormat.E8M0, Math.nextDown(0x1.8p127f), false));
        assertEquals(0xFF, ScalarCodec.encode(ElementFormat.E8M0, 0x1.8p127f, false));
        assertEquals(0xFE, ScalarCodec.encode(ElementFormat.E8M0, 0x1.8p127f, true));
    }

    // ---- 2.4: stochastic ----

    @Test
    void stochasticMatchesExactThreshold() {
        for (ElementFormat f : ElementFormat.values()) {
            Oracle o = new Oracle(f);
            SplittableRandom r = new SplittableRandom(f.ordinal() * 57L + 1);
            float[] xs = probeInputs(f, r, 500);
            for (int i = 0; i < xs.length; i++) {
                float x = xs[i];
                boolean saturate = (i & 1) == 0;
                // a random word, and the words either side of the threshold
                long t = thresholdOf(o, x);
                long[] words = t < 0 ? new long[] {r.nextLong(1L << 32)}
                        : new long[] {r.nextLong(1L << 32), Math.max(t - 1, 0), Math.min(t, 0xFFFFFFFFL)};
                for (long w : words) {
                    int want = o.encode(x, saturate, w);
                    int got = ScalarCodec.encode(f, x, 0, saturate, true, (int) w);
                    if (want != got) {
                        fail(String.format("%s stochastic saturate=%s x=%s (0x%08x) word 0x%x: oracle 0x%x, reference 0x%x",
                                f, saturate, x, Float.floatToRawIntBits(x), w, want, got));
                    }
                }
            }
        }
    }

    /** F of contract 2.4 for x (when x is finite and between two values), else -1. */
    private static long thresholdOf(Oracle o, float x) {
        double a = Math.abs((double) x);
        if (!Double.isFinite(a) || a == 0) return -1;
        int k = Arrays.binarySearch(o.values, a);
        if (k >= 0 || -k - 2 < 0 || -k - 2 >= o.values.length - 1) return -1;
        int lo = -k - 2;
        return (long) Math.floor((a - o.values[lo]) / (o.values[lo + 1] - o.values[lo]) * 0x1p32);
    }

    @Test
    void stochasticIsUnbiased() {
        // E[SR(x)] = x: the mean over many words of one input lies within a few standard errors
        float x = 0.3f;   // between E2M1 0 and 0.5
        int n = 20000;
        int[] w = new int[n];
        new ScalarRandom().words(RandomStream.of(7), w, n);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += ScalarCodec.decode(ElementFormat.E2M1, ScalarCodec.encode(ElementFormat.E2M1, x, 0, true, true, w[i]));
        double mean = sum / n;
        double se = 0.5 * Math.sqrt(0.6 * 0.4 / n);
        assertTrue(Math.abs(mean - x) < 5 * se, "mean " + mean);
    }

    // ---- 3: random words ----

    @Test
    void randomWordsMapCountersAsTheContractSays() {
        String[][] cases = {{"0", "0", "0"}, {"5", "18446744073709551615", "3"}, {"18446744073709551615", "18446744073709551612", "4294967295"},
                {"4294967296", "4294967295", "1"}};
        for (String[] c : cases) {
            long seed = Long.parseUnsignedLong(c[0]);
            long offset = Long.parseUnsignedLong(c[1]);
            int stream = (int) Long.parseLong(c[2]);
            int n = 37;
            int[] got = new int[n];
            new ScalarRandom().words(new RandomStream(seed, offset, stream), got, n);
            for (int i = 0; i < n; i++) {
                assertEquals(GenerateFoundationVectors.wordOf(seed, offset, stream, i), got[i], Arrays.toString(c) + " word " + i);
            }
        }
    }
}
