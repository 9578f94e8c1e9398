package io.lowbit.backend.scalar;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.Rounding;
import io.lowbit.backend.CastKernels;

/** Reference casts: a loop over {@link ScalarCodec}, random words from {@link Philox}. */
public class ScalarCasts implements CastKernels {

    @Override
    public void encode(ElementFormat format, CastOptions options, float[] x, byte[] codes, int n) {
        RandomWords words = RandomWords.of(options);
        for (int i = 0; i < n; i++) {
            codes[i] = (byte) encodeOne(format, options, x[i], words, i);
        }
    }

    @Override
    public void encode16(ElementFormat format, CastOptions options, float[] x, short[] codes, int n) {
        RandomWords words = RandomWords.of(options);
        for (int i = 0; i < n; i++) {
            codes[i] = (short) encodeOne(format, options, x[i], words, i);
        }
    }

    @Override
    public void decode(ElementFormat format, byte[] codes, float[] values, int n) {
        for (int i = 0; i < n; i++) values[i] = ScalarCodec.decode(format, codes[i] & 0xFF);
    }

    @Override
    public void decode16(ElementFormat format, short[] codes, float[] values, int n) {
        for (int i = 0; i < n; i++) values[i] = ScalarCodec.decode(format, codes[i] & 0xFFFF);
    }

    @Override
    public void encodePackedE2M1(CastOptions options, float[] x, byte[] packed, int n) {
        RandomWords words = RandomWords.of(options);
        for (int i = 0; i < n; i += 2) {
            int lo = encodeOne(ElementFormat.E2M1, options, x[i], words, i);
            int hi = i + 1 < n ? encodeOne(ElementFormat.E2M1, options, x[i + 1], words, i + 1) : 0;
            packed[i >> 1] = (byte) (lo | (hi << 4));
        }
    }

    private static int encodeOne(ElementFormat f, CastOptions o, float x, RandomWords words, int i) {
        boolean sr = o.rounding() == Rounding.STOCHASTIC;
        return ScalarCodec.encode(f, x, 0, o.saturate(), sr, sr ? words.word(i) : 0);
    }

    /**
     * Sequential access to the random words of one op: one Philox block per 4 elements,
     * the block computed when index i first reaches it.
     */
    public static final class RandomWords {
        private final RandomStream stream;
        private final int[] cache = new int[4];
        private long cachedGroup = -1;

        private RandomWords(RandomStream stream) { this.stream = stream; }

        public static RandomWords of(RandomStream stream) { return new RandomWords(stream); }

        static RandomWords of(CastOptions o) {
            return o.rounding() == Rounding.STOCHASTIC ? new RandomWords(o.random()) : null;
        }

        /** The word of element i (contract section 3). */
        public int word(long i) {
            long group = i >>> 2;
            if (group != cachedGroup) {
                Philox.group(stream.seed(), stream.offset(), stream.stream(), group, cache, 0);
                cachedGroup = group;
            }
            return cache[(int) (i & 3)];
        }
    }
}
