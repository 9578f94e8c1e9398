package io.lowbit.cuda;

import io.lowbit.RandomStream;
import io.lowbit.backend.scalar.Philox;
import io.lowbit.backend.scalar.ScalarRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** lowbit_philox.cuh run on the CPU against Random123's known answers and Philox.java. */
class HostPhiloxCheckTest {

    @BeforeEach
    void library() { NativeTestSupport.assumeLibrary(); }

    @Test
    void random123KnownAnswers() {
        // Random123 kat_vectors, philox4x32_10 (independent of lowbit's Java code)
        int[] key = {0, 0, -1, -1, 0xa4093822, 0x299f31d0};
        int[] counter = {0, 0, 0, 0, -1, -1, -1, -1, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
        int[] expected = {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8, 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
                0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1};
        int[] out = new int[12];
        LowbitCuda.lb_host_philox(key, counter, out, 3);
        assertArrayEquals(expected, out);
    }

    @Test
    void blocksMatchJava() {
        SplittableRandom rnd = new SplittableRandom(99);
        int m = 4097;
        int[] key = new int[2 * m], counter = new int[4 * m];
        for (int i = 0; i < key.length; i++) key[i] = rnd.nextInt();
        for (int i = 0; i < counter.length; i++) counter[i] = rnd.nextInt();
        int[] want = new int[4 * m], got = new int[4 * m];
        new ScalarRandom().philox(key, counter, want, m);
        LowbitCuda.lb_host_philox(key, counter, got, m);
        assertArrayEquals(want, got);
    }

    @Test
    void wordsNearTheEndOfTheCounterSpace() {
        long[] offsets = {0, 1, -1L, -2L, -3L, -4L, 0xFFFFFFFFL, 0xFFFFFFFEL, Long.MAX_VALUE, Long.MIN_VALUE, 0x123456789ABCDEFL};
        long[] seeds = {0, 1, -1L, 0x0123456789ABCDEFL};
        int[] streams = {0, 1, -1, 12345};
        int[] counts = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 1001};
        for (long offset : offsets) {
            for (long seed : seeds) {
                for (int stream : streams) {
                    for (int count : counts) {
                        RandomStream s = new RandomStream(seed, offset, stream);
                        int[] want = new int[count + 1], got = new int[count + 1];   // one spare: must stay 0
                        new ScalarRandom().words(s, want, count);
                        LowbitCuda.lb_host_random_words(seed, offset, stream, got, count);
                        assertArrayEquals(want, got, s + " count " + count);
                    }
                }
            }
        }
        // and the word of an element, straight from the definition (counter wraps modulo 2^64)
        int[] w = new int[8];
        LowbitCuda.lb_host_random_words(5, -1L, 0, w, 8);
        for (int i = 0; i < 8; i++) assertArrayEquals(new int[] {Philox.word(5, -1L, 0, i)}, new int[] {w[i]});
    }
}
