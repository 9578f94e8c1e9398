package io.lowbit.casts;

import io.lowbit.ElementFormat;

import java.util.SplittableRandom;

/**
 * Random float32 inputs for cast tests: raw bit patterns (every exponent, subnormals, NaN
 * payloads), values spread over the format's range, exact midpoints between neighbouring
 * codes (the RNE ties) and their float neighbours, exact code values, and special values.
 */
final class CastInputs {
    private CastInputs() {}

    static float sample(SplittableRandom rnd, ElementFormat f) {
        int kind = rnd.nextInt(20);
        if (kind < 4) return Float.intBitsToFloat(rnd.nextInt());
        double[] v = FormatModel.candidates(f);
        float sign = rnd.nextBoolean() ? 1f : -1f;
        if (kind < 10) {
            // random mantissa, exponent from a bit below the smallest subnormal to past the max
            int lowExp = Math.max(0, Math.getExponent(v[1]) + 127 - 4);
            int highExp = Math.min(254, Math.getExponent(v[v.length - 1]) + 127 + 2);
            int exp = lowExp + rnd.nextInt(highExp - lowExp + 1);
            int bits = (exp << 23) | rnd.nextInt(1 << 23);
            return sign * Float.intBitsToFloat(bits);
        }
        int i = rnd.nextInt(v.length - 1);
        float y;
        if (kind < 15) {
            y = (float) ((v[i] + v[i + 1]) / 2);     // exact in float32 for every format here
        } else if (kind < 18) {
            y = (float) v[i];
        } else {
            float[] specials = {0f, Float.POSITIVE_INFINITY, Float.NaN, Float.MIN_VALUE, Float.MAX_VALUE,
                    Float.MIN_NORMAL, (float) v[v.length - 2], (float) v[v.length - 1],
                    Float.intBitsToFloat(0x7F800000 | (1 + rnd.nextInt(0x7FFFFF)))};
            y = specials[rnd.nextInt(specials.length)];
        }
        switch (rnd.nextInt(4)) {
            case 0: y = Math.nextUp(y); break;
            case 1: y = Math.nextDown(y); break;
            default: break;
        }
        return sign * y;
    }

    /**
     * Like {@link #sample} but never below the format's smallest normal magnitude (zero
     * allowed): whole vectors of such values take the fast paths of vectorized encoders.
     */
    static float sampleNormalOrZero(SplittableRandom rnd, ElementFormat f) {
        double minNormal = Math.scalb(1.0, 1 - f.bias());
        while (true) {
            float y = sample(rnd, f);
            if (y == 0 || !(Math.abs(y) < minNormal)) return y;   // NaN passes too
        }
    }

    static float[] normalOrZeroArray(SplittableRandom rnd, ElementFormat f, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = sampleNormalOrZero(rnd, f);
        return x;
    }

    static float[] array(SplittableRandom rnd, ElementFormat f, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = sample(rnd, f);
        return x;
    }
}
