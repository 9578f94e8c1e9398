package io.lowbit.backend.scalar;

/**
 * The canonical pairwise summation tree of contract section 1, float32:
 * {@code sum(v[0..n)) = v[0]} for n = 1, else {@code sum(v[0..h)) + sum(v[h..n))} with
 * {@code h} the largest power of two strictly below n. The empty sum is +0.0f (our reading:
 * the contract defines n &gt;= 1 only).
 *
 * <p>Because the tree is fixed, any subtree {@code [from, from + len)} that the recursion
 * visits can be summed independently (another thread, another kernel) and combined with
 * the same additions: {@link #split(int)} gives the split point. Splitting work anywhere
 * else changes the bits.
 */
public final class PairwiseSum {
    private PairwiseSum() {}

    /** The split point {@code h} of a node of {@code n >= 2} elements: largest power of two below n. */
    public static int split(int n) {
        return Integer.highestOneBit(n - 1);
    }

    /** The tree written exactly as the contract states it (the reference for {@link #sum}). */
    public static float reference(float[] v, int from, int n) {
        if (n == 0) return 0.0f;
        if (n == 1) return v[from];
        int h = split(n);
        return reference(v, from, h) + reference(v, from + h, n - h);
    }

    /** The same tree and the same bits as {@link #reference}, with the 8-element leaves unrolled. */
    public static float sum(float[] v, int from, int n) {
        if (n == 8) {
            int i = from;
            return ((v[i] + v[i + 1]) + (v[i + 2] + v[i + 3])) + ((v[i + 4] + v[i + 5]) + (v[i + 6] + v[i + 7]));
        }
        if (n < 8) return reference(v, from, n);
        int h = split(n);
        return sum(v, from, h) + sum(v, from + h, n - h);
    }
}
