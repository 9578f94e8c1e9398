package io.lowbit;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.scalar.ScalarBlockwise;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class BlockwiseTest {
    private static final Codebook[] BOOKS = {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4, Codebook.FP4, Codebook.LINEAR4, Codebook.DYNAMIC_SIGNED_4};
    private static final int[] BLOCKS = {64, 128, 256, 512, 1024, 2048, 4096};

    /** Brute force of 7.2's rule: count midpoints strictly below v. */
    private static int countBelow(float[] mids, float v) {
        int c = 0;
        for (float m : mids) if (m < v) c++;
        return c;
    }

    @Test
    void binarySearchCountsMidpointsStrictlyBelow() {
        SplittableRandom r = new SplittableRandom(1);
        for (Codebook book : BOOKS) {
            float[] mids = book.midpoints();
            for (float m : mids) {
                for (float v : new float[] {m, Math.nextUp(m), Math.nextDown(m)}) {
                    assertEquals(countBelow(mids, v), ScalarBlockwise.nearestCode(mids, v));
                }
            }
            for (int i = 0; i < 20000; i++) {
                float v = (float) (r.nextDouble() * 2 - 1) * (float) Math.pow(10, -r.nextInt(8));
                assertEquals(countBelow(mids, v), ScalarBlockwise.nearestCode(mids, v));
            }
            assertEquals(0, ScalarBlockwise.nearestCode(mids, Float.NaN));
        }
    }

    /** Independent reading of 7.2, element by element, for comparison. */
    private static void bruteQuantize(Codebook book, float[] x, int bs, float[] absmax, int[] codes) {
        for (int b = 0; b * bs < x.length; b++) {
            float a = 0f;
            boolean nan = false;
            for (int i = b * bs; i < Math.min(x.length, (b + 1) * bs); i++) {
                if (Float.isNaN(x[i])) nan = true;
                a = Math.max(a, Math.abs(x[i]));
            }
            absmax[b] = nan ? Float.NaN : a;
            for (int i = b * bs; i < Math.min(x.length, (b + 1) * bs); i++) {
                float v = Math.min(1f, Math.max(-1f, x[i] / Math.max(absmax[b], 1e-38f)));
                codes[i] = countBelow(book.midpoints(), v);
            }
        }
    }

    private static float[] randomFloats(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(8)) {
                case 0 -> x[i] = Float.intBitsToFloat(r.nextInt());     // any bit pattern
                case 1 -> x[i] = 0f;
                default -> x[i] = (float) r.nextGaussian() * (float) Math.pow(10, r.nextInt(-6, 3));
            }
            if (Float.isInfinite(x[i])) x[i] = 1f;
        }
        return x;
    }

    @Test
    void referenceMatchesBruteForceAndEveryBackendMatchesReference() {
        SplittableRandom r = new SplittableRandom(2);
        Blockwise ref = Blockwise.on(Backends.scalar()).threads(1);
        for (Codebook book : BOOKS) {
            for (int bs : BLOCKS) {
                for (int n : new int[] {0, 1, bs - 1, bs, bs + 1, 2 * bs + 7, 3 * bs}) {
                    float[] x = randomFloats(r, n);
                    if (n > 3 && r.nextBoolean()) x[r.nextInt(n)] = Float.NaN;
                    Blockwise.Quantized q = ref.quantize(book, x, bs);
                    float[] absmax = new float[Blockwise.blocks(n, bs)];
                    int[] codes = new int[n];
                    bruteQuantize(book, x, bs, absmax, codes);
                    for (int b = 0; b < absmax.length; b++) assertEquals(Float.floatToIntBits(absmax[b]), Float.floatToIntBits(q.absmax()[b]));
                    for (int i = 0; i < n; i++) assertEquals(codes[i], q.codes()[i] & 0xFF);
                    float[] deq = ref.dequantize(q);
                    for (int i = 0; i < n; i++) {
                        float want = book.value(codes[i]) * absmax[i / bs];
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(deq[i]));
                    }
                    for (Backend be : Backends.available()) {
                        for (int t : new int[] {1, 2, 3}) {
                            Blockwise.Quantized fq = Blockwise.on(be).threads(t).quantize(book, x, bs);
                            assertArrayEquals(q.codes(), fq.codes(), be.name());
                            assertArrayEquals(q.absmax(), fq.absmax(), be.name());
                            if (book.size() <= 16) {
                                Blockwise.Quantized q4 = Blockwise.on(be).threads(t).quantize4(book, x, bs);
                                for (int i = 0; i < n; i++) assertEquals(q.codes()[i], (q4.codes()[i >> 1] >> ((i & 1) * 4)) & 0xF);
                                assertArrayEquals(deq, Blockwise.on(be).dequantize(q4));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void forBlocksRunsEveryBlockOnceAndSumsTheCounts() {
        for (int threads : new int[] {1, 2, 3, 7}) {
            for (int blocks : new int[] {1, 2, 5, 28, 29, 1000}) {
                java.util.concurrent.atomic.AtomicIntegerArray seen = new java.util.concurrent.atomic.AtomicIntegerArray(blocks);
                int sum = Blockwise.on(Backends.scalar()).threads(threads).forBlocks(Blockwise.PARALLEL_THRESHOLD, blocks, (b0, b1) -> {
                    assertTrue(0 <= b0 && b0 < b1 && b1 <= blocks, b0 + ".." + b1);
                    for (int b = b0; b < b1; b++) seen.incrementAndGet(b);
                    return b1 - b0;
                });
                assertEquals(blocks, sum, threads + " threads, " + blocks + " blocks");
                for (int b = 0; b < blocks; b++) assertEquals(1, seen.get(b), "block " + b);
            }
        }
    }

    @Test
    void largeTensorsGiveTheSameBitsOnAnyThreadCount() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = randomFloats(r, (1 << 17) + 123);
        Blockwise.Quantized ref = Blockwise.on(Backends.scalar()).threads(1).quantize(Codebook.DYNAMIC_SIGNED, x, 256);
        for (Backend be : Backends.available()) {
            for (int t : new int[] {1, 2, 3}) {
                Blockwise.Quantized q = Blockwise.on(be).threads(t).quantize(Codebook.DYNAMIC_SIGNED, x, 256);
                assertArrayEquals(ref.codes(), q.codes());
                assertArrayEquals(ref.absmax(), q.absmax());
            }
        }
    }

    @Test
    void specialBlocks() {
        Blockwise bw = Blockwise.chosen();
        float[] x = new float[64 * 3];
        for (int i = 64; i < 128; i++) x[i] = 100 - i;  // 36 .. -27
        x[130] = Float.NaN;
        float[] deq = bw.dequantize(bw.quantize(Codebook.DYNAMIC_SIGNED, x, 64));
        for (int i = 0; i < 64; i++) assertEquals(0f, deq[i]);            // zero block: zeros back
        for (int i = 128; i < 192; i++) assertTrue(Float.isNaN(deq[i]));  // NaN block: all NaN
        assertEquals(36f, deq[64]);                                        // +absmax -> v = 1 -> code 255 -> exact
        assertEquals(0f, deq[100]);                                        // 0 is in the table: exact
    }

    @Test
    void exactMidpointsTieToTheLowerCode() {
        for (Codebook book : BOOKS) {
            float[] mids = book.midpoints();
            float[] x = new float[mids.length + 1];
            System.arraycopy(mids, 0, x, 0, mids.length);
            x[mids.length] = 1f;  // absmax 1: v = x exactly
            Blockwise.Quantized q = Blockwise.chosen().quantize(book, x, 4096);
            for (int j = 0; j < mids.length; j++) {
                int lowest = j;
                while (lowest > 0 && mids[lowest - 1] == mids[j]) lowest--;  // fp4's two zeros share midpoint 0
                assertEquals(lowest, q.codes()[j] & 0xFF, book.name() + " midpoint " + j);
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        Blockwise bw = Blockwise.chosen();
        assertThrows(IllegalArgumentException.class, () -> bw.quantize(Codebook.NF4, new float[4], 100));
        assertThrows(IllegalArgumentException.class, () -> bw.quantize(Codebook.NF4, new float[4], 32));
        assertThrows(IllegalArgumentException.class, () -> bw.quantize(Codebook.NF4, new float[4], 8192));
        assertThrows(IllegalArgumentException.class, () -> bw.quantize4(Codebook.DYNAMIC_SIGNED, new float[4], 64));
        assertThrows(IllegalArgumentException.class, () -> bw.quantize(null, new float[4], 64));
    }

    @Test
    void quantizeIntoReusedArraysEqualsQuantizeAndLeavesTheRest() {
        SplittableRandom r = new SplittableRandom(4);
        for (Backend be : Backends.available()) {
            Blockwise bw = Blockwise.on(be).threads(2);
            float[] absmax = new float[70];
            byte[] codes = new byte[5000];
            for (int n : new int[] {4096, 4096 + 77, 300}) {   // the same arrays, reused, for three tensors
                float[] x = randomFloats(r, n);
                java.util.Arrays.fill(codes, (byte) 0x5A);
                java.util.Arrays.fill(absmax, -7f);
                bw.quantizeInto(Codebook.DYNAMIC_SIGNED, x, 64, absmax, codes);
                Blockwise.Quantized q = bw.quantize(Codebook.DYNAMIC_SIGNED, x, 64);
                int nb = Blockwise.blocks(n, 64);
                assertArrayEquals(q.codes(), java.util.Arrays.copyOf(codes, n), be.name() + " n=" + n);
                assertArrayEquals(q.absmax(), java.util.Arrays.copyOf(absmax, nb), be.name() + " n=" + n);
                for (int i = n; i < codes.length; i++) assertEquals((byte) 0x5A, codes[i], "codes past n untouched");
                for (int b = nb; b < absmax.length; b++) assertEquals(-7f, absmax[b], "absmax past the blocks untouched");
            }
        }
    }

    @Test
    void quantizeIntoRejectsMissingOrShortArraysBeforeWriting() {
        Blockwise bw = Blockwise.chosen();
        float[] x = new float[1000];
        byte[] codes = new byte[1000];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bw.quantizeInto(Codebook.DYNAMIC_SIGNED, x, 256, new float[3], codes));
        assertTrue(e.getMessage().contains("absmax") && e.getMessage().contains("4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> bw.quantizeInto(Codebook.DYNAMIC_SIGNED, x, 256, new float[4], new byte[999]));
        assertTrue(e.getMessage().contains("codes") && e.getMessage().contains("1000"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> bw.quantizeInto(Codebook.DYNAMIC_SIGNED, x, 256, null, codes));
        assertTrue(e.getMessage().contains("absmax"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> bw.quantizeInto(Codebook.DYNAMIC_SIGNED, x, 0, new float[4], codes));
    }
}
