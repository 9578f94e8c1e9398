package io.lowbit;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fast search paths (Codebook.bucketTable, searchKeys; the vector backend's encode8 and
 * code) against the brute-force reading of 7.2 and the scalar reference: every midpoint and
 * its float neighbours, signed zeros, subnormals, NaN and Inf blocks, and codebooks that take
 * the fallback paths (several midpoints in one bucket, a -0 midpoint).
 */
class BlockwiseFastSearchTest {
    /** Midpoints -0.5, -0 (from -0 and -0), 0.5: a -0 midpoint is not below +0. */
    private static final Codebook NEGATIVE_ZERO_MID = Codebook.of("neg-zero-mid", new float[] {-1f, -0f, -0f, 1f});
    /** Three midpoints within one 16-bit bucket of 0.25: the table is null, the fallback runs. */
    private static final Codebook CROWDED = Codebook.of("crowded", new float[] {
            -1f, 0.25f, Math.nextUp(0.25f), Math.nextUp(Math.nextUp(0.25f)), Math.nextUp(Math.nextUp(Math.nextUp(0.25f))), 1f});
    private static final Codebook[] BOOKS = {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4,
            Codebook.FP4, Codebook.LINEAR4, Codebook.DYNAMIC_SIGNED_4, NEGATIVE_ZERO_MID, CROWDED};

    private static int countBelow(float[] mids, float v) {
        int c = 0;
        for (float m : mids) if (m < v) c++;  // NaN: below nothing
        return c;
    }

    @Test
    void bucketTableExistsExactlyWhenNoBucketHoldsTwoMidpoints() {
        for (Codebook c : new Codebook[] {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4, Codebook.FP4,
                Codebook.LINEAR4, Codebook.DYNAMIC_SIGNED_4, NEGATIVE_ZERO_MID}) {
            assertNotNull(c.bucketTable(), c.name());
        }
        assertNull(CROWDED.bucketTable());
        assertTrue(CROWDED.searchSteps() >= 3);
    }

    @Test
    void unsignedAndSignedKeysFollowFloatOrder() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            float a = Float.intBitsToFloat(r.nextInt()), b = Float.intBitsToFloat(r.nextInt());
            if (a != a || b != b) continue;
            int ab = Float.floatToRawIntBits(a), bb = Float.floatToRawIntBits(b);
            if (a != b) {
                assertEquals(a < b, Integer.compareUnsigned(Codebook.unsignedKey(ab), Codebook.unsignedKey(bb)) < 0);
                assertEquals(a < b, Codebook.orderKey(ab) < Codebook.orderKey(bb));
            }
        }
        assertTrue(Integer.compareUnsigned(Codebook.unsignedKey(Float.floatToRawIntBits(-0f)), Codebook.unsignedKey(0)) < 0);
    }

    /** Values v with absmax 1 (x[0] = 1), so v = x: each backend's code must be the brute-force count. */
    @Test
    void everyMidpointItsNeighboursAndSpecialValuesGetTheCountBelow() {
        for (Codebook book : BOOKS) {
            float[] mids = book.midpoints();
            List<Float> vs = new ArrayList<>(List.of(1f, -1f, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
                    -Float.MIN_NORMAL, Math.nextDown(Float.MIN_NORMAL), 1e-38f, -1e-38f, Math.nextDown(1f), Math.nextUp(-1f)));
            for (float m : mids) {
                vs.add(m);
                vs.add(Math.nextUp(m));
                vs.add(Math.nextDown(m));
                vs.add(-m);
            }
            float[] x = new float[vs.size() + 1];
            x[0] = 1f;
            for (int i = 0; i < vs.size(); i++) x[i + 1] = Math.max(-1f, Math.min(1f, vs.get(i)));
            for (Backend be : Backends.available()) {
                for (int bs : new int[] {64, 4096}) {
                    float[] y = x.clone();
                    for (int b = 0; b < y.length; b += bs) y[b] = 1f;  // absmax 1 in every block
                    Blockwise.Quantized q = Blockwise.on(be).threads(1).quantize(book, y, bs);
                    for (int i = 0; i < y.length; i++) {
                        assertEquals(countBelow(mids, y[i]), q.codes()[i] & 0xFF, be.name() + " " + book.name() + " v=" + y[i]);
                    }
                    if (book.size() <= 16) {
                        Blockwise.Quantized q4 = Blockwise.on(be).threads(1).quantize4(book, y, bs);
                        for (int i = 0; i < y.length; i++) assertEquals(q.codes()[i], (q4.codes()[i >> 1] >> ((i & 1) * 4)) & 0xF);
                    }
                }
            }
        }
    }

    /** Any bit patterns, Inf included (absmax Inf: the Inf elements give NaN v, code 0), NaN blocks, tiny blocks. */
    @Test
    void randomBitPatternsInfAndNaNBlocksMatchTheReference() {
        SplittableRandom r = new SplittableRandom(6);
        Blockwise ref = Blockwise.on(Backends.scalar()).threads(1);
        for (Codebook book : BOOKS) {
            for (int bs : new int[] {64, 256, 1024}) {
                for (int n : new int[] {0, 1, 7, bs - 1, bs + 9, 5 * bs + 3}) {
                    float[] x = new float[n];
                    int kind = r.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        x[i] = switch (kind) {
                            case 0 -> Float.intBitsToFloat(r.nextInt());
                            case 1 -> Float.intBitsToFloat(r.nextInt() & 0x807FFFFF);  // subnormals and zeros: divisor 1e-38
                            case 2 -> r.nextInt(50) == 0 ? (r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY) : (float) r.nextGaussian();
                            default -> (float) r.nextGaussian() * 1e-3f;
                        };
                    }
                    if (n > 0 && r.nextInt(3) == 0) x[r.nextInt(n)] = Float.NaN;
                    Blockwise.Quantized q = ref.quantize(book, x, bs);
                    for (int i = 0; i < n; i++) {
                        float a = Math.max(q.absmax()[i / bs], 1e-38f);
                        float v = Math.min(1f, Math.max(-1f, x[i] / a));
                        assertEquals(countBelow(book.midpoints(), v), q.codes()[i] & 0xFF);
                    }
                    for (Backend be : Backends.available()) {
                        for (int t : new int[] {1, 2, 3}) {
                            Blockwise.Quantized fq = Blockwise.on(be).threads(t).quantize(book, x, bs);
                            assertArrayEquals(q.codes(), fq.codes(), be.name() + " " + book.name());
                            assertArrayEquals(q.absmax(), fq.absmax(), be.name() + " " + book.name());
                        }
                    }
                }
            }
        }
    }

    /**
     * Every block size with a partial last block (odd and vector-multiple tails), a zero block,
     * blocks of exact midpoints (times a power-of-two absmax, so v is the midpoint) and their
     * float neighbours, Inf and NaN blocks: the fast range kernel against the reference.
     */
    @Test
    void everyBlockSizeWithPartialTailsZerosMidpointsAndNonFiniteBlocksMatchTheReference() {
        SplittableRandom r = new SplittableRandom(11);
        Blockwise ref = Blockwise.on(Backends.scalar()).threads(1);
        for (Codebook book : new Codebook[] {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED}) {
            float[] mids = book.midpoints();
            for (int bs = Blockwise.MIN_BLOCK; bs <= Blockwise.MAX_BLOCK; bs *= 2) {
                for (int tail : new int[] {0, 1, 8, 13, bs - 1}) {
                    int n = 3 * bs + tail;
                    float[] x = new float[n];
                    float scale = (float) Math.scalb(1.0, r.nextInt(-20, 20));
                    for (int i = 0; i < n; i++) {
                        int b = i / bs;
                        if (b == 0) continue;  // all zeros: absmax 0, divisor 1e-38
                        float m = mids[r.nextInt(mids.length)];
                        x[i] = switch (r.nextInt(4)) {
                            case 0 -> m;
                            case 1 -> Math.nextUp(m);
                            case 2 -> Math.nextDown(m);
                            default -> (float) r.nextGaussian();
                        } * scale;
                    }
                    x[bs] = scale;  // block 1: absmax is the scale, v = the midpoints themselves
                    x[2 * bs + 5] = r.nextBoolean() ? Float.NaN : Float.NEGATIVE_INFINITY;  // a full block
                    if (tail > 0) x[3 * bs] = r.nextBoolean() ? Float.NaN : Float.POSITIVE_INFINITY;  // the partial one
                    Blockwise.Quantized want = ref.quantize(book, x, bs);
                    for (Backend be : Backends.available()) {
                        for (int t : new int[] {1, 2, 3}) {
                            Blockwise.Quantized got = Blockwise.on(be).threads(t).quantize(book, x, bs);
                            assertArrayEquals(want.codes(), got.codes(), be.name() + " " + book.name() + " bs " + bs + " tail " + tail);
                            assertArrayEquals(want.absmax(), got.absmax(), be.name() + " " + book.name() + " bs " + bs + " tail " + tail);
                        }
                    }
                }
            }
        }
    }

    /**
     * v = x / absmax, not x * (1 / absmax): every element here sits within 6 floats of
     * m * absmax for a midpoint m, at absmax values whose reciprocal is inexact, so the product
     * and the quotient often straddle a midpoint (counted and asserted, so the test can catch a
     * backend that multiplies by the reciprocal, a tempting speed-up): every backend's codes must
     * be the reference's, with 1 and 2 threads.
     */
    @Test
    void productsNearMidpointsGetTheDivisionsCode() {
        Blockwise ref = Blockwise.on(Backends.scalar()).threads(1);
        SplittableRandom r = new SplittableRandom(17);
        int straddles = 0;
        for (Codebook book : new Codebook[] {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4, Codebook.LINEAR4}) {
            float[] mids = book.midpoints();
            List<Float> xs = new ArrayList<>();
            float[] absmaxes = {3f, 7f, 0.1f, 1e-30f, 1e30f, 0x1.fffffep125f, 0x1p126f, 0x1.000002p126f, 3e38f,
                    Math.scalb(1f + r.nextFloat(), -100), Math.scalb(1f + r.nextFloat(), 100), 1f + r.nextFloat()};
            for (float d : absmaxes) {
                for (float m : mids) {
                    for (float sign : new float[] {1f, -1f}) {
                        float y = sign * m * d;
                        for (int k = -6; k <= 6; k++) {
                            float v = y;
                            for (int j = 0; j < Math.abs(k); j++) v = k > 0 ? Math.nextUp(v) : Math.nextDown(v);
                            if (Math.abs(v) <= d) {
                                if (xs.size() % 256 == 0) xs.add(d);  // every block of 256 holds d: its absmax
                                xs.add(v);
                                float p = v * (1f / d), exact = v / d;
                                if (countBelow(mids, p) != countBelow(mids, exact)) straddles++;
                            }
                        }
                    }
                }
                while (xs.size() % 256 != 0) xs.add(0f);
            }
            float[] x = new float[xs.size()];
            for (int i = 0; i < x.length; i++) x[i] = xs.get(i);
            Blockwise.Quantized want = ref.quantize(book, x, 256);
            for (Backend be : Backends.available()) {
                for (int t : new int[] {1, 2}) {
                    Blockwise.Quantized got = Blockwise.on(be).threads(t).quantize(book, x, 256);
                    assertArrayEquals(want.codes(), got.codes(), book.name() + " on " + be.name() + ", " + t + " threads");
                    assertArrayEquals(want.absmax(), got.absmax(), book.name() + " on " + be.name());
                }
            }
        }
        assertTrue(straddles > 100, "the product and the quotient straddle a midpoint often enough to test the redo: " + straddles);
    }
}
