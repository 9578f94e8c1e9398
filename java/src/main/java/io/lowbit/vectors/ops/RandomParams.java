package io.lowbit.vectors.ops;

import com.google.gson.JsonElement;
import io.lowbit.RandomStream;
import io.lowbit.vectors.VectorCase;

import java.math.BigInteger;

/**
 * The random-stream parameters of the vector format (contract section 3): {@code seed} and
 * {@code offset} are unsigned 64-bit integers (a JSON number, or a decimal string where the
 * value exceeds 2^53), {@code stream} an unsigned 32-bit integer.
 */
public final class RandomParams {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private RandomParams() {}

    /** seed (required), offset (default 0), stream (default 0). */
    public static RandomStream of(VectorCase c) {
        long seed = unsigned(c, "seed", 64, null);
        long offset = unsigned(c, "offset", 64, 0L);
        int stream = (int) unsigned(c, "stream", 32, 0L);
        return new RandomStream(seed, offset, stream);
    }

    /**
     * An unsigned integer parameter of at most {@code bits} bits, returned as the low bits of a
     * long (so 2^64-1 comes back as -1L); {@code dflt} null makes it required.
     */
    public static long unsigned(VectorCase c, String name, int bits, Long dflt) {
        if (!c.has(name)) {
            if (dflt == null) throw new IllegalArgumentException("parameter '" + name + "' missing (op " + c.op() + ")");
            return dflt;
        }
        JsonElement e = c.params().get(name);
        BigInteger v = null;
        if (e.isJsonPrimitive() && (e.getAsJsonPrimitive().isNumber() || e.getAsJsonPrimitive().isString())) {
            try {
                v = new java.math.BigDecimal(e.getAsString().trim()).toBigIntegerExact();
            } catch (NumberFormatException | ArithmeticException ex) {
                v = null;
            }
        }
        if (v == null || v.signum() < 0 || v.bitLength() > bits) {
            throw new IllegalArgumentException("parameter '" + name + "' must be an integer in 0.."
                    + TWO_64.shiftRight(64 - bits).subtract(BigInteger.ONE) + " (a decimal string for large values), got " + e);
        }
        return v.longValue();
    }
}
