package io.lowbit;

/**
 * Where an op draws its random words from (contract section 3): the Philox key is the
 * 64-bit {@code seed}; element i of the op's input uses counter {@code offset + i/4},
 * lane {@code i mod 4}, in the independent {@code stream}.
 *
 * <p>Training code advances {@code offset} between steps (by at least ceil(n/4) for an op
 * over n elements) so that no two steps reuse a word.
 */
public record RandomStream(long seed, long offset, int stream) {
    /** Stream 0, offset 0. */
    public static RandomStream of(long seed) { return new RandomStream(seed, 0, 0); }

    /** The same seed and offset in another stream (e.g. 1 for the column-wise copy). */
    public RandomStream withStream(int s) { return new RandomStream(seed, offset, s); }

    /** The same seed and stream, offset advanced by {@code counters}. */
    public RandomStream advance(long counters) { return new RandomStream(seed, offset + counters, stream); }
}
