package io.lowbit;

/**
 * Argument checks shared by the public API. Every check runs before any kernel (and so
 * before any native call) and throws {@link IllegalArgumentException} naming the argument
 * and what was expected.
 */
public final class Checks {
    private Checks() {}

    public static <T> T notNull(String name, T value) {
        if (value == null) throw new IllegalArgumentException(name + " must not be null");
        return value;
    }

    public static int nonNegative(String name, long value) {
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be in 0.." + Integer.MAX_VALUE + ", got " + value);
        }
        return (int) value;
    }

    public static int inRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", got " + value);
        }
        return (int) value;
    }

    /** {@code array} is non-null and holds at least {@code needed} elements. */
    public static void length(String name, int actual, long needed) {
        if (actual < needed) {
            throw new IllegalArgumentException(name + " must hold at least " + needed + " elements, got " + actual);
        }
    }

    public static void exactLength(String name, int actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " must hold exactly " + expected + " elements, got " + actual);
        }
    }

    public static float[] floats(String name, float[] a, long needed) {
        notNull(name, a);
        length(name, a.length, needed);
        return a;
    }

    public static byte[] bytes(String name, byte[] a, long needed) {
        notNull(name, a);
        length(name, a.length, needed);
        return a;
    }

    public static short[] shorts(String name, short[] a, long needed) {
        notNull(name, a);
        length(name, a.length, needed);
        return a;
    }

    public static int[] ints(String name, int[] a, long needed) {
        notNull(name, a);
        length(name, a.length, needed);
        return a;
    }
}
