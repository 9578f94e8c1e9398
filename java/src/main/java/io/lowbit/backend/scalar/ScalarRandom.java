package io.lowbit.backend.scalar;

import io.lowbit.RandomStream;
import io.lowbit.backend.RandomKernels;

/** Reference Philox stream. */
public class ScalarRandom implements RandomKernels {
    @Override
    public void words(RandomStream stream, int[] words, int count) {
        ScalarCasts.RandomWords w = ScalarCasts.RandomWords.of(stream);
        for (int i = 0; i < count; i++) words[i] = w.word(i);
    }

    @Override
    public void philox(int[] key, int[] counter, int[] out, int m) {
        for (int j = 0; j < m; j++) {
            Philox.block(counter[4 * j], counter[4 * j + 1], counter[4 * j + 2], counter[4 * j + 3],
                    key[2 * j], key[2 * j + 1], out, 4 * j);
        }
    }
}
