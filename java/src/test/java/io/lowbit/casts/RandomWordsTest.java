package io.lowbit.casts;

import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.scalar.Philox;
import io.lowbit.backend.scalar.ScalarCasts;
import io.lowbit.io.Npy;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Contract section 3: which Philox output is the random word of element i. */
class RandomWordsTest {

    /** Word i, written from the contract text: counter (low32(c), high32(c), stream, 0), c = offset + i/4 mod 2^64. */
    static int contractWord(long seed, long offset, int stream, long i) {
        long c = offset + Long.divideUnsigned(i, 4);    // Java long addition wraps mod 2^64
        int[] out = new int[4];
        Philox.block((int) (c & 0xFFFFFFFFL), (int) (c >>> 32), stream, 0,
                (int) (seed & 0xFFFFFFFFL), (int) (seed >>> 32), out, 0);
        return out[(int) (i % 4)];
    }

    @Property(tries = 200)
    void wordsFollowTheCounterMapping(@ForAll long seed, @ForAll long offset, @ForAll int stream,
                                      @ForAll @IntRange(min = 0, max = 40) int count) {
        check(new RandomStream(seed, offset, stream), count);
    }

    /** Offsets just below 2^64: the counter wraps to 0, 1, ... */
    @Property(tries = 50)
    void offsetWrapsAroundNear2To64(@ForAll long seed, @ForAll int stream, @ForAll @IntRange(min = 1, max = 12) int below) {
        check(new RandomStream(seed, -below, stream), 64);
    }

    private static void check(RandomStream rs, int count) {
        ScalarCasts.RandomWords words = ScalarCasts.RandomWords.of(rs);
        int[] expected = new int[count];
        for (int i = 0; i < count; i++) {
            expected[i] = contractWord(rs.seed(), rs.offset(), rs.stream(), i);
            assertEquals(expected[i], words.word(i), rs + " word " + i);
        }
        for (Backend b : Backends.available()) {      // the public random.words kernel
            int[] got = new int[count + 3];
            b.random().words(rs, got, count);
            assertArrayEquals(expected, java.util.Arrays.copyOf(got, count), b.name() + " " + rs);
        }
    }

    @Example
    void wrapAndCarryAreFacts() {
        // offset 2^64-1: elements 4..7 use counter 0, the words of offset 0 elements 0..3
        RandomStream wrapped = new RandomStream(99, -1L, 2);
        RandomStream zero = new RandomStream(99, 0, 2);
        for (int lane = 0; lane < 4; lane++) {
            assertEquals(ScalarCasts.RandomWords.of(zero).word(lane), ScalarCasts.RandomWords.of(wrapped).word(4 + lane));
        }
        // offset 2^32-1: element 4 carries into the counter's second word
        assertEquals(ScalarCasts.RandomWords.of(new RandomStream(99, 1L << 32, 2)).word(1),
                ScalarCasts.RandomWords.of(new RandomStream(99, 0xFFFFFFFFL, 2)).word(5));
    }

    /** Random123 known answers (the project's copy of the shared anchors). */
    @Example
    void philoxMatchesRandom123KnownAnswers() throws IOException {
        Path dir = Path.of(System.getProperty("lowbit.testVectors", "../test-vectors"), "anchors", "random");
        int[] key = Npy.read(dir.resolve("philox4x32_10_kat.key.npy")).ints();
        int[] counter = Npy.read(dir.resolve("philox4x32_10_kat.counter.npy")).ints();
        int[] out = Npy.read(dir.resolve("philox4x32_10_kat.out.npy")).ints();
        int[] got = new int[4];
        for (int j = 0; j < out.length / 4; j++) {
            Philox.block(counter[4 * j], counter[4 * j + 1], counter[4 * j + 2], counter[4 * j + 3],
                    key[2 * j], key[2 * j + 1], got, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(out, 4 * j, 4 * j + 4), got, "KAT " + j);
        }
    }
}
