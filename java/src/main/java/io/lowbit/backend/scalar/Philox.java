package io.lowbit.backend.scalar;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11)
 * with the Random123 constants, and the element-to-word mapping of contract section 3.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox() {}

    /** Ten rounds on counter (c0..c3) with key (k0, k1); writes 4 words to out[at..at+3]. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out, int at) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {           // the key is bumped between rounds, not before the first
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0;
            int n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        out[at] = c0;
        out[at + 1] = c1;
        out[at + 2] = c2;
        out[at + 3] = c3;
    }

    /**
     * The four words of counter {@code offset + group} (unsigned 64-bit) in {@code stream}:
     * the words of elements 4*group .. 4*group+3.
     */
    public static void group(long seed, long offset, int stream, long group, int[] out, int at) {
        long c = offset + group;
        block((int) c, (int) (c >>> 32), stream, 0, (int) seed, (int) (seed >>> 32), out, at);
    }

    /** The random word of element {@code i} (contract section 3). Slow: one block per call. */
    public static int word(long seed, long offset, int stream, long i) {
        int[] w = new int[4];
        group(seed, offset, stream, i >>> 2, w, 0);
        return w[(int) (i & 3)];
    }
}
