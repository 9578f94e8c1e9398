package io.lowbit.backend.scalar;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PairwiseSumTest {

    /**
     * An independent construction of the same tree: a binary counter of complete power-of-two
     * blocks (merge while the two top blocks have equal size), the leftover blocks combined
     * right to left. Equal to the contract's recursion because the recursion cuts off the
     * largest power of two first.
     */
    static float counterSum(float[] v, int from, int n) {
        Deque<float[]> stack = new ArrayDeque<>(); // {sum, size}
        for (int i = 0; i < n; i++) {
            float[] top = {v[from + i], 1};
            while (!stack.isEmpty() && stack.peek()[1] == top[1]) {
                float[] left = stack.pop();
                top = new float[] {left[0] + top[0], left[1] * 2};
            }
            stack.push(top);
        }
        if (stack.isEmpty()) return 0f;
        float acc = stack.pop()[0];
        while (!stack.isEmpty()) acc = stack.pop()[0] + acc;
        return acc;
    }

    @Test
    void treeOrderIsTheContractsNotLeftToRight() {
        // (1e8 + 1) + (-1e8 + 1) = 0 in float32; left to right would give 1.
        assertEquals(0f, PairwiseSum.sum(new float[] {1e8f, 1f, -1e8f, 1f}, 0, 4));
        // n = 3 splits at h = 2: (1 + 1e8) + -1e8 = 0; 1 + (1e8 + -1e8) would be 1.
        assertEquals(0f, PairwiseSum.sum(new float[] {1f, 1e8f, -1e8f}, 0, 3));
        // n = 5: (sum of 4) + v4.
        assertEquals(1f, PairwiseSum.sum(new float[] {1e8f, 1f, -1e8f, 0f, 1f}, 0, 5));
        assertEquals(0f, PairwiseSum.sum(new float[0], 0, 0));
        assertEquals(2, PairwiseSum.split(3));
        assertEquals(4, PairwiseSum.split(8));
        assertEquals(8, PairwiseSum.split(9));
    }

    @Test
    void fastSumReferenceAndCounterAgreeBitForBit() {
        Random rnd = new Random(1);
        for (int n = 0; n <= 300; n++) check(randomFloats(rnd, n + 3), 3, n);
        for (int n : new int[] {1000, 1023, 1024, 1025, 4097, 65537}) check(randomFloats(rnd, n), 0, n);
    }

    private static void check(float[] v, int from, int n) {
        int ref = Float.floatToIntBits(PairwiseSum.reference(v, from, n));
        assertEquals(ref, Float.floatToIntBits(PairwiseSum.sum(v, from, n)), "sum, n=" + n);
        assertEquals(ref, Float.floatToIntBits(counterSum(v, from, n)), "counter, n=" + n);
    }

    static float[] randomFloats(Random rnd, int n) {
        float[] v = new float[n];
        // wide magnitudes and signs, so that the order of additions shows in the bits
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(40) - 20));
        return v;
    }
}
