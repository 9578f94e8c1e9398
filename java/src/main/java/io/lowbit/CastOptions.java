package io.lowbit;

import java.util.Objects;

/**
 * How a cast rounds (contract 2.2-2.4): rounding mode, overflow behaviour, and for
 * stochastic rounding the random stream its words come from.
 */
public record CastOptions(Rounding rounding, boolean saturate, RandomStream random) {
    public CastOptions {
        Objects.requireNonNull(rounding, "rounding");
        if (rounding == Rounding.STOCHASTIC && random == null) {
            throw new IllegalArgumentException("random must be given for rounding=stochastic");
        }
    }

    /** Round to nearest even, non-saturating (IEEE-style overflow, as ml_dtypes). */
    public static final CastOptions RNE = new CastOptions(Rounding.RNE, false, null);
    /** Round to nearest even, saturating to the largest finite value. */
    public static final CastOptions RNE_SATURATE = new CastOptions(Rounding.RNE, true, null);

    public static CastOptions stochastic(RandomStream random, boolean saturate) {
        return new CastOptions(Rounding.STOCHASTIC, saturate, random);
    }
}
