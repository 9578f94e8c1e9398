package io.lowbit.vectors.ops;

import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;

import java.util.Map;
import java.util.Set;

/** {@code random.words} (contract 3): {@code words[i]} = the random word of element i. */
public final class RandomWordsOp implements OpHandler {
    /** A vector file should not be able to ask for gigabytes. */
    static final int MAX_COUNT = 1 << 24;

    @Override public String op() { return "random.words"; }

    @Override public Set<String> params() { return Set.of("seed", "offset", "stream", "count"); }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) {
        RandomStream stream = RandomParams.of(c);
        long count = c.integer("count");
        if (count < 0 || count > MAX_COUNT) {
            throw new IllegalArgumentException("parameter 'count' must be in 0.." + MAX_COUNT + ", got " + count);
        }
        int[] words = new int[(int) count];
        backend.random().words(stream, words, words.length);
        return Map.of("words", NpyArray.ofU4(words));
    }
}
