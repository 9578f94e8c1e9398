package io.lowbit.backend.vector;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;
import io.lowbit.Rounding;
import io.lowbit.backend.scalar.ScalarCasts;
import io.lowbit.backend.scalar.ScalarCodec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized casts, bit-identical to {@link ScalarCodec}.
 *
 * <p>Accelerated: round-to-nearest-even encoding to the minifloats E2M1, E2M3, E3M2, E4M3,
 * E5M2, UE4M3, UE5M3 and to BF16/FP16 (saturating or not), packed E2M1 (RNE), and decoding
 * of every 8-bit format (table lookup) and of BF16 (a shift). Everything else (stochastic
 * rounding, E8M0, INT8, FP16 decode) is the scalar reference, as are the tails shorter
 * than one vector.
 *
 * <p>The encoder is the reference's method done on integer lanes: split the float32 bits
 * into an integer significand and exponent, shift the significand right by the number of
 * bits below the target's quantum, rounding the dropped bits to nearest even; the code is
 * then {@code ((max(e, emin) - emin) << m) + q}, which covers subnormals, normals and the
 * carry into the next binade in one formula. No floating-point arithmetic is involved, so
 * nothing can round differently from the reference.
 */
class VectorCasts extends ScalarCasts {
    // 8 lanes of 32 bits (AVX2); the narrowed codes then fill a 64-bit byte or 128-bit short vector
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;

    /** Decode tables of the 8-bit formats, built from the reference decoder (any byte value). */
    private static final float[][] DECODE_TABLES = new float[ElementFormat.values().length][];

    static {
        for (ElementFormat f : ElementFormat.values()) {
            if (f.isWide()) continue;
            float[] t = new float[256];
            for (int c = 0; c < 256; c++) t[c] = ScalarCodec.decode(f, c);
            DECODE_TABLES[f.ordinal()] = t;
        }
    }

    /** The constants of one format and overflow mode for the lane kernel. */
    private static final class Params {
        final int m;              // mantissa bits
        final int eminBiased;     // float32 biased exponent of the format's smallest normal binade
        final int maxCode;        // largest finite magnitude code
        final int overflowMag;    // magnitude code for overflow (sign added for signed formats): max or max + 1
        final int signShift;      // position of the sign bit, or -1 for unsigned formats
        final int nanCode;        // code for NaN (and for negative inputs of unsigned formats)
        final int nanSignMask;    // the sign bit where NaN keeps the input's sign (E4M3, E5M2, BF16, FP16), else 0

        Params(ElementFormat f, boolean saturate) {
            m = f.mantissaBits();
            eminBiased = 128 - f.bias();
            // codes from the reference itself, so the two cannot disagree on 2.2/2.3 constants
            maxCode = ScalarCodec.encode(f, f.maxFinite(), true);
            overflowMag = ScalarCodec.encode(f, Float.POSITIVE_INFINITY, saturate);
            signShift = f.signed() ? f.bits() - 1 : -1;
            nanCode = ScalarCodec.encode(f, Float.NaN, saturate);
            boolean nanSigned = f.signed() && ScalarCodec.encode(f, Float.intBitsToFloat(0xFFC00000), saturate) != nanCode;
            nanSignMask = nanSigned ? 1 << signShift : 0;
            if (overflowMag != maxCode && overflowMag != maxCode + 1) {
                throw new AssertionError(f + ": overflow code " + overflowMag + " is not max or max + 1");  // min() relies on it
            }
        }
    }

    private static boolean accelerated(ElementFormat f) {
        return f != ElementFormat.E8M0 && f != ElementFormat.INT8;
    }

    /**
     * The codes (in int lanes) of the 8 float32 values in {@code v}. Branch-free: lanes in the
     * target's subnormal range take the same path as the rest (a data-dependent fast path
     * measured slower and profile-sensitive on JDK 17).
     */
    private static IntVector encodeLanes(FloatVector v, Params p) {
        IntVector bits = v.reinterpretAsInts();
        IntVector abs = bits.and(0x7FFFFFFF);
        // |x| = sig * 2^(eEff - 150): float32 subnormals (e = 0) share exponent 1's scale
        IntVector eEff = abs.lanewise(VectorOperators.LSHR, 23).max(1);
        IntVector sig = abs.sub(eEff.sub(1).lanewise(VectorOperators.LSHL, 23));   // implicit bit where e >= 1
        // bits below the target's quantum: 23 - m in its normal range, more below; >= 31 rounds to 0 anyway
        IntVector drop = IntVector.broadcast(I, p.eminBiased + 23 - p.m).sub(eEff).max(23 - p.m).min(31);
        // RNE: add half a quantum minus one, plus the kept lowest bit, then drop; a carry moves to the next binade
        IntVector keptLsb = sig.lanewise(VectorOperators.LSHR, drop).and(1);
        IntVector halfMinusOne = IntVector.broadcast(I, 0x3FFFFFFF).lanewise(VectorOperators.LSHR, drop.neg().add(31));
        IntVector q = sig.add(halfMinusOne).add(keptLsb).lanewise(VectorOperators.LSHR, drop);
        // code = ((max(e, emin) - emin) << m) + q covers subnormal, normal and carried results
        IntVector code = eEff.max(p.eminBiased).sub(p.eminBiased).lanewise(VectorOperators.LSHL, p.m).add(q);
        code = code.min(p.overflowMag);                     // overflow and +-Inf (overflowMag is max or max + 1)
        VectorMask<Integer> nan = abs.compare(VectorOperators.GT, 0x7F800000);
        if (p.signShift < 0) {
            // unsigned scale formats: a negative nonzero input is NaN, -0 is code 0
            return code.blend(p.nanCode, nan.or(bits.compare(VectorOperators.LT, 0).and(abs.compare(VectorOperators.NE, 0))));
        }
        IntVector signBit = bits.lanewise(VectorOperators.LSHR, 31 - p.signShift).and(1 << p.signShift);
        // NaN keeps the sign where the format's NaN has one (nanSignMask is 0 otherwise)
        return code.or(signBit).blend(signBit.and(p.nanSignMask).or(p.nanCode), nan);
    }

    @Override
    public void encode(ElementFormat format, CastOptions options, float[] x, byte[] codes, int n) {
        if (options.rounding() != Rounding.RNE || !accelerated(format)) {
            super.encode(format, options, x, codes, n);
            return;
        }
        Params p = new Params(format, options.saturate());
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            IntVector code = encodeLanes(FloatVector.fromArray(F, x, i), p);
            ((ByteVector) code.castShape(B, 0)).intoArray(codes, i);
        }
        for (; i < n; i++) codes[i] = (byte) ScalarCodec.encode(format, x[i], options.saturate());
    }

    @Override
    public void encode16(ElementFormat format, CastOptions options, float[] x, short[] codes, int n) {
        if (options.rounding() != Rounding.RNE) {
            super.encode16(format, options, x, codes, n);
            return;
        }
        Params p = new Params(format, options.saturate());
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            IntVector code = encodeLanes(FloatVector.fromArray(F, x, i), p);
            ((ShortVector) code.castShape(S, 0)).intoArray(codes, i);
        }
        for (; i < n; i++) codes[i] = (short) ScalarCodec.encode(format, x[i], options.saturate());
    }

    @Override
    public void encodePackedE2M1(CastOptions options, float[] x, byte[] packed, int n) {
        if (options.rounding() != Rounding.RNE) {
            super.encodePackedE2M1(options, x, packed, n);
            return;
        }
        Params p = new Params(ElementFormat.E2M1, options.saturate());
        int i = 0;
        int step = 2 * F.length();           // 16 elements -> 8 packed bytes, one unmasked store
        for (int end = n - n % step; i < end; i += step) {
            ByteVector lowHalf = (ByteVector) packPairs(FloatVector.fromArray(F, x, i), p).castShape(B, 0);
            ByteVector highHalf = (ByteVector) packPairs(FloatVector.fromArray(F, x, i + F.length()), p).castShape(B, -1);
            lowHalf.or(highHalf).intoArray(packed, i >> 1);
        }
        if (i < n) {   // the odd tail: the reference on the remaining elements, packed the same way
            float[] tail = java.util.Arrays.copyOfRange(x, i, n);
            byte[] out = new byte[(tail.length + 1) / 2];
            super.encodePackedE2M1(options, tail, out, tail.length);
            System.arraycopy(out, 0, packed, i >> 1, out.length);
        }
    }

    /** Long lane j = code(2j) | code(2j+1) << 4: a long lane holds codes 2j (low half) and 2j+1 (high half). */
    private static LongVector packPairs(FloatVector v, Params p) {
        LongVector pairs = encodeLanes(v, p).reinterpretAsLongs();
        return pairs.or(pairs.lanewise(VectorOperators.LSHR, 28)).and(0xFFL);
    }

    @Override
    public void decode(ElementFormat format, byte[] codes, float[] values, int n) {
        float[] table = DECODE_TABLES[format.ordinal()];
        for (int i = 0; i < n; i++) values[i] = table[codes[i] & 0xFF];
    }

    @Override
    public void decode16(ElementFormat format, short[] codes, float[] values, int n) {
        if (format != ElementFormat.BF16) {
            super.decode16(format, codes, values, n);
            return;
        }
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += F.length()) {
            IntVector wide = (IntVector) ShortVector.fromArray(S, codes, i).castShape(I, 0);   // sign-extends
            wide.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(values, i);
        }
        for (; i < n; i++) values[i] = ScalarCodec.decode(format, codes[i] & 0xFFFF);
    }
}
