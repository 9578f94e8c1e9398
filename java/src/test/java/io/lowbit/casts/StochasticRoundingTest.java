package io.lowbit.casts;

import io.lowbit.CastOptions;
import io.lowbit.Casts;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.scalar.Philox;
import io.lowbit.backend.scalar.ScalarCodec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contract 2.4 (stochastic rounding) and its use of the random words of section 3. */
class StochasticRoundingTest {

    /** With word r the magnitude is hi iff r < F (unsigned), F computed exactly with BigDecimal. */
    @Property(tries = 150)
    void resultIsHiExactlyWhenWordBelowThreshold(@ForAll ElementFormat f, @ForAll long seed, @ForAll boolean saturate) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int k = 0; k < 20; k++) {
            float x = CastInputs.sample(rnd, f);
            int word = rnd.nextInt();
            check(f, x, saturate, word);
            double[] around = FormatModel.neighbours(f, x);
            if (around != null && !(f == ElementFormat.E8M0 && Math.abs(x) < 0x1p-127)) {
                long threshold = FormatModel.stochasticThreshold(Math.abs((double) x), around[0], around[1]);
                // the sharp edge: F-1 rounds up, F rounds down
                if (threshold > 0) check(f, x, saturate, (int) (threshold - 1));
                if (threshold < (1L << 32)) check(f, x, saturate, (int) threshold);
            }
        }
    }

    @Property(tries = 60)
    void anyFloatBitPatternAnyWord(@ForAll int bits, @ForAll int word, @ForAll boolean saturate) {
        for (ElementFormat f : ElementFormat.values()) check(f, Float.intBitsToFloat(bits), saturate, word);
    }

    private static void check(ElementFormat f, float x, boolean saturate, int word) {
        int got = ScalarCodec.encode(f, x, 0, saturate, true, word);
        assertEquals(FormatModel.expectedStochastic(f, x, saturate, word), got,
                () -> f + " x=" + x + " (0x" + Integer.toHexString(Float.floatToRawIntBits(x)) + ") word=0x"
                        + Integer.toHexString(word) + " saturate=" + saturate);
        // always one of the two neighbours (or what the special/overflow rules make of them)
        int rneLo = FormatModel.expectedStochastic(f, x, saturate, -1);   // r = 2^32-1 is never < F: lo
        int rneHi = FormatModel.expectedStochastic(f, x, saturate, 0);    // r = 0 < F whenever F > 0: hi
        assertTrue(got == rneLo || got == rneHi, f + " x=" + x + " gave neither neighbour");
    }

    /**
     * Through the public API on every backend: element i uses the word of counter
     * offset + i/4 (unsigned), lane i mod 4, computed here from Philox.block directly.
     */
    @Property(tries = 60)
    void apiUsesTheContractsWordForEachElement(@ForAll ElementFormat f, @ForAll long seed, @ForAll long offset,
                                               @ForAll int stream, @ForAll boolean saturate) {
        if (f.isWide()) return;
        SplittableRandom rnd = new SplittableRandom(seed ^ offset);
        float[] x = CastInputs.array(rnd, f, 1 + rnd.nextInt(70));
        RandomStream rs = new RandomStream(seed, offset, stream);
        for (Backend b : Backends.available()) {
            byte[] codes = Casts.on(b).encodeBytes(f, x, CastOptions.stochastic(rs, saturate));
            for (int i = 0; i < x.length; i++) {
                int word = RandomWordsTest.contractWord(seed, offset, stream, i);
                assertEquals(FormatModel.expectedStochastic(f, x[i], saturate, word), codes[i] & 0xFF,
                        b.name() + " " + f + " element " + i);
            }
        }
    }

    /** The mean of many draws (different words) is x, within 5 sigma of the binomial spread. */
    @Test
    void unbiased() {
        SplittableRandom rnd = new SplittableRandom(20240607);
        int draws = 8192;
        for (ElementFormat f : ElementFormat.values()) {
            double[] v = FormatModel.candidates(f);
            for (int k = 0; k < 8; k++) {
                int i = rnd.nextInt(v.length - 2);         // an interval below max finite
                double lo = v[i], hi = v[i + 1], ulp = hi - lo;
                float x = (float) (lo + (0.02 + 0.96 * rnd.nextDouble()) * ulp);
                if (f == ElementFormat.E8M0 && x < 0x1p-127) continue;
                double p = (x - lo) / ulp;
                float[] xs = new float[draws];
                java.util.Arrays.fill(xs, x);
                RandomStream rs = new RandomStream(rnd.nextLong(), rnd.nextLong(), rnd.nextInt(4));
                float[] back;
                if (f.isWide()) {
                    back = Casts.decode16(f, Casts.encode16(f, xs, CastOptions.stochastic(rs, true)));
                } else {
                    back = Casts.decode(f, Casts.encode(f, xs, CastOptions.stochastic(rs, true)));
                }
                double sum = 0;
                for (float b : back) {
                    assertTrue(b == (float) lo || b == (float) hi, f + ": " + b + " not in {" + lo + ", " + hi + "}");
                    sum += b;
                }
                double mean = sum / draws;
                double bound = 5 * ulp * Math.sqrt(p * (1 - p) / draws) + ulp * 0x1p-32;
                assertTrue(Math.abs(mean - x) <= bound,
                        f + " x=" + x + ": mean " + mean + " off by " + (mean - x) + " > " + bound);
            }
        }
    }

    @Test
    void exactlyRepresentableZeroNanInfNeverRandomized() {
        RandomStream rs = new RandomStream(7, 11, 1);
        for (ElementFormat f : ElementFormat.values()) {
            if (f.isWide()) continue;
            double[] v = FormatModel.candidates(f);
            float[] x = new float[2 * (v.length - 1) + 4];
            for (int i = 0; i + 1 < v.length; i++) {
                x[2 * i] = (float) v[i];
                x[2 * i + 1] = -(float) v[i];
            }
            x[x.length - 4] = Float.NaN;
            x[x.length - 3] = Float.POSITIVE_INFINITY;
            x[x.length - 2] = Float.NEGATIVE_INFINITY;
            x[x.length - 1] = -0f;
            for (boolean saturate : new boolean[] {false, true}) {
                byte[] sr = Casts.encode(f, x, CastOptions.stochastic(rs, saturate));
                byte[] rne = Casts.encode(f, x, saturate ? CastOptions.RNE_SATURATE : CastOptions.RNE);
                assertEquals(java.util.Arrays.toString(rne), java.util.Arrays.toString(sr), f.toString());
            }
        }
    }

    @Test
    void philoxWordHelperAgreesWithTheMapping() {
        assertEquals(RandomWordsTest.contractWord(5, -2, 3, 9), Philox.word(5, -2, 3, 9));
    }
}
