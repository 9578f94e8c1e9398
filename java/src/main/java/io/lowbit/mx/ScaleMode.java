package io.lowbit.mx;

import java.util.Locale;

/** How an MX block's power-of-two scale is chosen from its amax (contract 4.2). */
public enum ScaleMode {
    /** OCP MX v1.0: {@code e = floor(log2(amax)) - emax}. */
    FLOOR,
    /** {@code e = ceil(log2(amax)) - emax}. */
    CEIL,
    /** amax rounded half-up to the element's mantissa width first (float elements only). */
    EVEN,
    /** {@code e = ceil(log2(amax / maxElem))}, exact: the block maximum never saturates. */
    RCEIL;

    /** Parses "floor", "ceil", "even", "rceil" (any case). */
    public static ScaleMode parse(String argName, String s) {
        if (s != null) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException(argName + " must be one of floor, ceil, even, rceil; got '" + s + "'");
    }

    public String id() { return name().toLowerCase(Locale.ROOT); }
}
