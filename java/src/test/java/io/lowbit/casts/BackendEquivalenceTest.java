package io.lowbit.casts;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.CastKernels;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fast backend's casts equal the scalar reference bit for bit: every format, RNE and
 * stochastic, saturate on and off, every length 0..300 (vector bodies and odd tails), and
 * the kernels leave everything past n untouched.
 */
class BackendEquivalenceTest {
    private static final int SENTINEL_PAD = 37;
    private static final CastKernels REFERENCE = Backends.scalar().casts();

    private static List<Backend> fastBackends() {
        List<Backend> out = new ArrayList<>();
        for (Backend b : Backends.available()) if (!b.name().equals("scalar")) out.add(b);
        return out;
    }

    @Test
    void vectorBackendIsPresentInTests() {
        // surefire passes --add-modules jdk.incubator.vector: the comparison below must not be empty
        assertTrue(fastBackends().stream().anyMatch(b -> b.name().equals("vector")));
    }

    @Test
    void everyLengthUpTo300() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int n = 0; n <= 300; n++) {
            for (ElementFormat f : ElementFormat.values()) compareAll(f, n, rnd);
        }
    }

    @Property(tries = 25)
    void randomSeedsAndLengths(@ForAll ElementFormat f, @ForAll long seed, @ForAll @IntRange(min = 0, max = 3000) int n) {
        compareAll(f, n, new SplittableRandom(seed));
    }

    private static List<CastOptions> options(SplittableRandom rnd) {
        RandomStream rs = new RandomStream(rnd.nextLong(), rnd.nextBoolean() ? rnd.nextLong() : -1 - rnd.nextInt(8), rnd.nextInt(3));
        return List.of(CastOptions.RNE, CastOptions.RNE_SATURATE, CastOptions.stochastic(rs, false), CastOptions.stochastic(rs, true));
    }

    private static void compareAll(ElementFormat f, int n, SplittableRandom rnd) {
        compareAll(f, n, rnd, CastInputs.array(rnd, f, n + SENTINEL_PAD));
        compareAll(f, n, rnd, CastInputs.normalOrZeroArray(rnd, f, n + SENTINEL_PAD));
    }

    private static void compareAll(ElementFormat f, int n, SplittableRandom rnd, float[] x) {
        for (Backend b : fastBackends()) {
            CastKernels fast = b.casts();
            String where = b.name() + " " + f + " n=" + n;
            for (CastOptions o : options(rnd)) {
                if (f.isWide()) {
                    short[] want = new short[n + SENTINEL_PAD], got = new short[n + SENTINEL_PAD];
                    java.util.Arrays.fill(want, (short) 0x5A5A);
                    java.util.Arrays.fill(got, (short) 0x5A5A);
                    REFERENCE.encode16(f, o, x, want, n);
                    fast.encode16(f, o, x, got, n);
                    assertArrayEquals(want, got, where + " encode16 " + o);
                } else {
                    byte[] want = new byte[n + SENTINEL_PAD], got = new byte[n + SENTINEL_PAD];
                    java.util.Arrays.fill(want, (byte) 0x5A);
                    java.util.Arrays.fill(got, (byte) 0x5A);
                    REFERENCE.encode(f, o, x, want, n);
                    fast.encode(f, o, x, got, n);
                    assertArrayEquals(want, got, where + " encode " + o);
                }
                if (f == ElementFormat.E2M1) {
                    int bytes = (n + 1) / 2;
                    byte[] want = new byte[bytes + SENTINEL_PAD], got = new byte[bytes + SENTINEL_PAD];
                    java.util.Arrays.fill(want, (byte) 0x5A);
                    java.util.Arrays.fill(got, (byte) 0x5A);
                    REFERENCE.encodePackedE2M1(o, x, want, n);
                    fast.encodePackedE2M1(o, x, got, n);
                    assertArrayEquals(want, got, where + " encodePackedE2M1 " + o);
                }
            }
            // decode: random codes, every code value likely at n ~ 300
            float[] want = new float[n + SENTINEL_PAD], got = new float[n + SENTINEL_PAD];
            java.util.Arrays.fill(want, 0.125f);
            java.util.Arrays.fill(got, 0.125f);
            if (f.isWide()) {
                short[] codes = new short[n];
                for (int i = 0; i < n; i++) codes[i] = (short) rnd.nextInt();
                REFERENCE.decode16(f, codes, want, n);
                fast.decode16(f, codes, got, n);
            } else {
                byte[] codes = new byte[n];
                for (int i = 0; i < n; i++) codes[i] = (byte) rnd.nextInt();
                REFERENCE.decode(f, codes, want, n);
                fast.decode(f, codes, got, n);
            }
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), where + " decode at " + i);
            }
        }
    }
}
