package io.lowbit.backend;

import io.lowbit.RandomStream;

/** The counter-based random stream, contract section 3. */
public interface RandomKernels {
    /** {@code words[i]} = the random word of element i under {@code stream}, for i &lt; count. */
    void words(RandomStream stream, int[] words, int count);

    /**
     * Raw Philox4x32-10 blocks: for block j &lt; m, key {@code key[2j..2j+1]} and counter
     * {@code counter[4j..4j+3]} give {@code out[4j..4j+3]}.
     */
    void philox(int[] key, int[] counter, int[] out, int m);
}
