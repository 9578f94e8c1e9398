package io.lowbit;

import java.util.Locale;

/** Rounding of a cast: contract 2.2 (round to nearest even) and 2.4 (stochastic). */
public enum Rounding {
    RNE, STOCHASTIC;

    /** Accepts "rne", "stochastic" and the command line's short form "sr". */
    public static Rounding parse(String argName, String s) {
        if (s != null) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "rne": case "even": return RNE;
                case "stochastic": case "sr": return STOCHASTIC;
                default: break;
            }
        }
        throw new IllegalArgumentException(argName + " must be 'rne' or 'stochastic' (or 'sr'), got '" + s + "'");
    }
}
