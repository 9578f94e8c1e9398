package io.lowbit.hadamard;

import io.lowbit.Checks;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.scalar.ScalarCasts;

/**
 * Hadamard transforms (contract section 6), applied to every block of {@code n} consecutive
 * elements along the last axis of a row-major {@code rows x cols} array.
 *
 * <pre>{@code
 * Hadamard h = Hadamard.builder(128).normalize(true).randomSigns(RandomStream.of(42)).build();
 * float[] y = h.apply(x, rows, cols);              // y = H(s*x)/sqrt(128) per block
 * float[] back = h.inverse().apply(y, rows, cols); // s*(H y)/sqrt(128) ~= x
 * }</pre>
 *
 * <p>As a matrix: applying this op to every row of X is {@code X·Q}, with Q block diagonal,
 * one block {@code S·H·c} per n columns (S = diag(s), c the scale); for the inverse op
 * {@code Q = H·S·c}. Applied to every column of W it is {@code Qᵀ·W}. With
 * {@code normalize=true}, Q is orthogonal, so {@code (X·Q)·(Qᵀ·W) = X·W} up to rounding:
 * see {@link #rotateRows} and {@link #rotateColumns}.
 *
 * <p>Instances are immutable and thread-safe. Arguments are checked before any kernel runs.
 */
public final class Hadamard {
    public static final int MIN_N = 2;
    public static final int MAX_N = 32768;

    /** Where the per-position signs s come from. */
    public enum Signs { NONE, GIVEN, RANDOM }

    private final int n;
    private final boolean normalize;
    private final boolean inverse;
    private final Signs signsKind;
    private final float[] signs; // null for NONE; the drawn signs for RANDOM
    private final RandomStream random;
    private final Backend backend;

    private Hadamard(Builder b) {
        this.n = b.n;
        this.normalize = b.normalize;
        this.inverse = b.inverse;
        this.signsKind = b.signsKind;
        this.random = b.random;
        this.backend = b.backend;
        switch (b.signsKind) {
            case GIVEN: this.signs = b.givenSigns.clone(); break;
            case RANDOM: this.signs = randomSigns(b.random, b.n); break;
            default: this.signs = null;
        }
    }

    /** A builder for transforms of size {@code n}: a power of two in 2..32768 (checked in build()). */
    public static Builder builder(int n) { return new Builder(n); }

    /**
     * The signs of contract section 6 drawn from {@code random}: {@code s_j = -1} if the top bit
     * of random word j (section 3) is 1, else +1. The contract's op uses offset 0; a stream
     * with another offset draws the words from that offset on.
     */
    public static float[] randomSigns(RandomStream random, int n) {
        Checks.notNull("random", random);
        checkN(n);
        ScalarCasts.RandomWords words = ScalarCasts.RandomWords.of(random);
        float[] s = new float[n];
        for (int j = 0; j < n; j++) s[j] = words.word(j) < 0 ? -1f : 1f;
        return s;
    }

    public int n() { return n; }
    public boolean normalize() { return normalize; }
    public boolean isInverse() { return inverse; }
    public Signs signsKind() { return signsKind; }
    /** The signs in use (a copy), or null for none. */
    public float[] signs() { return signs == null ? null : signs.clone(); }
    public Backend backend() { return backend; }

    /** The inverse of this op: same size, signs and normalization, the other direction. */
    public Hadamard inverse() { return toBuilder().inverse(!inverse).build(); }

    /** The same op on another backend (e.g. {@code Backends.scalar()} to compare against). */
    public Hadamard on(Backend other) { return toBuilder().backend(other).build(); }

    private Builder toBuilder() {
        Builder b = new Builder(n).normalize(normalize).inverse(inverse).backend(backend);
        if (signsKind == Signs.GIVEN) b.signs(signs);
        if (signsKind == Signs.RANDOM) b.randomSigns(random);
        return b;
    }

    /** The transform of x ({@code rows x cols}, row-major, cols a multiple of n) as a new array. */
    public float[] apply(float[] x, int rows, int cols) {
        checkShape(x, rows, cols);
        float[] y = new float[x.length];
        backend.hadamard().transform(x, y, rows, cols, n, normalize, inverse, signs);
        return y;
    }

    /** The transform of x written over x. */
    public void applyInPlace(float[] x, int rows, int cols) {
        checkShape(x, rows, cols);
        backend.hadamard().transform(x, x, rows, cols, n, normalize, inverse, signs);
    }

    /**
     * {@code X·Q}: this op applied to every row of X ({@code rows x cols}, the shared axis of the
     * product last). The same as {@link #apply}.
     */
    public float[] rotateRows(float[] x, int rows, int cols) { return apply(x, rows, cols); }

    /**
     * {@code Qᵀ·W}: this op applied to every column of W ({@code rows x cols}, row-major, the
     * shared axis of the product first, so rows must be a multiple of n). With
     * {@code normalize=true}, {@code rotateRows(X)·rotateColumns(W) = X·W} up to rounding.
     * (For a weight stored {@code [out, in]} as in {@code X·Wᵀ}, use {@link #rotateRows} on both.)
     */
    public float[] rotateColumns(float[] w, int rows, int cols) {
        Checks.notNull("w", w);
        checkDims(rows, cols);
        Checks.exactLength("w", w.length, (long) rows * cols);
        if (rows % n != 0) {
            throw new IllegalArgumentException("rows must be a multiple of n=" + n + " to rotate columns, got " + rows);
        }
        float[] t = transpose(w, rows, cols);
        backend.hadamard().transform(t, t, cols, rows, n, normalize, inverse, signs);
        return transpose(t, cols, rows);
    }

    /**
     * How far {@code inverse(this(x))} is from x: the largest absolute difference divided by the
     * largest |x| (0 for an all-zero x). A few float32 ulps times log2(n) for a correct transform.
     */
    public double roundTripError(float[] x, int rows, int cols) {
        float[] back = inverse().apply(apply(x, rows, cols), rows, cols);
        double maxDiff = 0, maxAbs = 0;
        for (int i = 0; i < x.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) back[i] - x[i]));
            maxAbs = Math.max(maxAbs, Math.abs((double) x[i]));
        }
        return maxAbs == 0 ? maxDiff : maxDiff / maxAbs;
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        }
        return t;
    }

    private void checkShape(float[] x, int rows, int cols) {
        Checks.notNull("x", x);
        checkDims(rows, cols);
        Checks.exactLength("x", x.length, (long) rows * cols);
        if (cols % n != 0) throw new IllegalArgumentException("cols must be a multiple of n=" + n + ", got " + cols);
    }

    private static void checkDims(int rows, int cols) {
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
    }

    static void checkN(int n) {
        if (n < MIN_N || n > MAX_N || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("n must be a power of two in " + MIN_N + ".." + MAX_N + ", got " + n);
        }
    }

    /** Options of a transform; every value is checked in {@link #build()}. */
    public static final class Builder {
        private final int n;
        private boolean normalize;
        private boolean inverse;
        private Signs signsKind = Signs.NONE;
        private float[] givenSigns;
        private RandomStream random;
        private Backend backend;

        private Builder(int n) { this.n = n; }

        /** Scale by (float) (1/sqrt(n)) (default false). */
        public Builder normalize(boolean on) { this.normalize = on; return this; }

        /** The inverse transform x = s * (H y) * c (default false). */
        public Builder inverse(boolean on) { this.inverse = on; return this; }

        /** No signs (the default). */
        public Builder noSigns() { signsKind = Signs.NONE; givenSigns = null; random = null; return this; }

        /** Given signs: n values, each exactly +1 or -1 (copied at build()). */
        public Builder signs(float[] s) {
            signsKind = Signs.GIVEN; givenSigns = Checks.notNull("signs", s); random = null; return this;
        }

        /** Signs drawn from {@code random} (see {@link Hadamard#randomSigns}). */
        public Builder randomSigns(RandomStream r) {
            signsKind = Signs.RANDOM; random = Checks.notNull("random", r); givenSigns = null; return this;
        }

        /** The backend that runs the kernels (default: {@link Backends#get()}). */
        public Builder backend(Backend b) { this.backend = Checks.notNull("backend", b); return this; }

        public Hadamard build() {
            checkN(n);
            if (signsKind == Signs.GIVEN) {
                Checks.exactLength("signs", givenSigns.length, n);
                for (int j = 0; j < n; j++) {
                    float s = givenSigns[j];
                    if (s != 1f && s != -1f) {
                        throw new IllegalArgumentException("signs must be +1 or -1, got " + s + " at index " + j);
                    }
                }
            }
            if (backend == null) backend = Backends.get();
            return new Hadamard(this);
        }
    }
}
