package io.lowbit.backend.vector;

import io.lowbit.backend.scalar.ScalarHadamard;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.stream.IntStream;

/**
 * Hadamard transforms on the Vector API, bit-identical to {@link ScalarHadamard}.
 *
 * <p>Why the bits agree: each butterfly of the canonical order reads two values produced by
 * the previous stage and writes two. Any schedule that performs, for every element, the same
 * add or subtract on the same operands stage after stage gives the same floats. This one
 * <ul>
 *   <li>does the stages h &lt; L inside one vector: lane i gets {@code fma(v[i], +-1, v[i^h])},
 *       which is {@code v[i] + v[i+h]} for the lower lane and {@code v[i-h] - v[i]} for the
 *       upper one: v*(+-1) is exact, so the fma rounds once, like the add or subtract;</li>
 *   <li>computes every {@code a - b} of the other stages as {@code fma(b, -1, a)}: the same
 *       single rounding of the same exact value, signed zeros and NaNs included (-b is exact),
 *       but on the multiply pipes, so adds and subtracts share the machine's two kinds of
 *       FP pipes;</li>
 *   <li>does the stages h &lt; {@link #CHUNK} one L1-sized chunk at a time (those stages never
 *       pair elements of different chunks), then the larger stages over the whole block;</li>
 *   <li>in the first pass does, for eight neighbouring vectors, the stages h &lt; L in each and
 *       the stages h = L, 2L, 4L across them, then up to three stages per pass (radix 8: eight
 *       vectors in registers). On JDK 25 and later the first pass runs on 128-bit vectors
 *       instead ({@link #narrowFirstPass}), whose in-vector stages need no cross-lane permute.</li>
 * </ul>
 * Blocks are independent, so large inputs are split over threads by whole blocks.
 */
public class VectorHadamard extends ScalarHadamard {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /** Stages h &lt; CHUNK run one chunk of CHUNK floats (16 KiB, half a typical L1) at a time. */
    static final int CHUNK = 4096;
    /** Inputs of at least this many floats are split over threads. */
    static final int DEFAULT_PARALLEL_MIN = 1 << 18;

    /** For h &lt; L: the partner lane i^h, and +1 for the lower lane of a pair, -1 for the upper. */
    private static final VectorShuffle<Float>[] PARTNER;
    private static final FloatVector[] LOWER_PLUS;
    /** a - b is computed as fma(b, -1, a): see the class comment. */
    private static final FloatVector MINUS_ONE = FloatVector.broadcast(SPECIES, -1f);

    static {
        int stages = Integer.numberOfTrailingZeros(L);
        @SuppressWarnings("unchecked")
        VectorShuffle<Float>[] partner = new VectorShuffle[stages];
        FloatVector[] sign = new FloatVector[stages];
        for (int s = 0; s < stages; s++) {
            int h = 1 << s;
            partner[s] = VectorShuffle.fromOp(SPECIES, i -> i ^ h);
            float[] pm = new float[L];
            for (int i = 0; i < L; i++) pm[i] = (i & h) == 0 ? 1f : -1f;
            sign[s] = FloatVector.fromArray(SPECIES, pm, 0);
        }
        PARTNER = partner;
        LOWER_PLUS = sign;
    }

    /** PARTNER and LOWER_PLUS for h = 1, 2, 4 as constants (used where L &gt;= 8). */
    private static final VectorShuffle<Float> P1 = PARTNER[0], P2 = PARTNER[Math.min(1, PARTNER.length - 1)],
            P4 = PARTNER[Math.min(2, PARTNER.length - 1)];
    private static final FloatVector S1 = LOWER_PLUS[0], S2 = LOWER_PLUS[Math.min(1, LOWER_PLUS.length - 1)],
            S4 = LOWER_PLUS[Math.min(2, LOWER_PLUS.length - 1)];

    /**
     * Whether the first pass runs on 128-bit vectors ({@link #narrowFirstPass}) by default: on
     * JDK 25 and later, where it measured twice as fast; not on JDK 17, whose C2 compiles
     * whichever float shape runs second in a JVM several times slower (docs/vector-api-notes.md),
     * and every other float kernel here is 256-bit.
     */
    static final boolean NARROW_BY_DEFAULT = L == 8 && Runtime.version().feature() >= 25;

    private final int parallelMin;
    private final int threads;
    private final boolean narrow;

    public VectorHadamard() { this(DEFAULT_PARALLEL_MIN, Runtime.getRuntime().availableProcessors()); }

    /** For tests and benchmarks: split inputs of at least {@code parallelMin} floats over {@code threads}. */
    public VectorHadamard(int parallelMin, int threads) {
        this(parallelMin, threads, NARROW_BY_DEFAULT);
    }

    /** For tests: {@code narrow} picks the 128-bit first pass (needs 256-bit vectors otherwise). */
    VectorHadamard(int parallelMin, int threads, boolean narrow) {
        this.parallelMin = Math.max(1, parallelMin);
        this.threads = Math.max(1, threads);
        this.narrow = narrow && L == 8;
    }

    @Override
    public void transform(float[] x, float[] y, int rows, int cols, int n,
                          boolean normalize, boolean inverse, float[] signs) {
        // Blocks shorter than one vector (n = 2, 4 on AVX2) are left to the reference.
        if (n < L) {
            super.transform(x, y, rows, cols, n, normalize, inverse, signs);
            return;
        }
        int total = rows * cols;
        int blocks = total / n;
        float scale = scale(n, normalize, inverse);
        int parts = total >= parallelMin ? Math.min(threads, blocks) : 1;
        boolean narrow = this.narrow;
        if (parts <= 1) {
            blocks(x, y, 0, blocks, n, scale, inverse, signs, narrow);
        } else {
            IntStream.range(0, parts).parallel().forEach(p ->
                    blocks(x, y, (int) ((long) blocks * p / parts), (int) ((long) blocks * (p + 1) / parts),
                            n, scale, inverse, signs, narrow));
        }
    }

    private static void blocks(float[] x, float[] y, int from, int to, int n, float scale, boolean inverse, float[] signs,
                               boolean narrow) {
        for (int b = from; b < to; b++) block(x, y, b * n, n, scale, inverse, signs, narrow);
    }

    private static void block(float[] x, float[] y, int base, int n, float scale, boolean inverse, float[] signs,
                              boolean narrow) {
        float[] forwardSigns = inverse ? null : signs;
        int chunk = Math.min(n, CHUNK);
        for (int c = 0; c < n; c += chunk) {
            if (chunk >= 8 * L) {
                float[] from = x;
                if (forwardSigns != null) {
                    applySigns(x, y, base + c, chunk, forwardSigns, c);
                    from = y;
                }
                if (narrow) {
                    narrowFirstPass(from, y, base + c, chunk);
                    stages(y, base + c, chunk, 8 * NARROW_L);
                } else {
                    firstPass(from, y, base + c, chunk);
                    stages(y, base + c, chunk, 8 * L);
                }
            } else if (chunk >= 2 * L) {
                firstStagesPairs(x, y, base + c, chunk, forwardSigns, c);
                stages(y, base + c, chunk, 2 * L);
            } else {
                inVectorStages(x, y, base + c, chunk, forwardSigns, c);
            }
        }
        stages(y, base, n, chunk);
        if (scale != 1f || (inverse && signs != null)) finish(y, base, n, scale, inverse ? signs : null);
    }

    /** y[base..base+m) = x times the signs from {@code signOffset} (exact: they are +-1). */
    private static void applySigns(float[] x, float[] y, int base, int m, float[] signs, int signOffset) {
        for (int i = 0; i < m; i += L) {
            FloatVector.fromArray(SPECIES, x, base + i).mul(FloatVector.fromArray(SPECIES, signs, signOffset + i))
                    .intoArray(y, base + i);
        }
    }

    /**
     * y[base..base+m) = x (times the signs from {@code signOffset}, if any), then the stages
     * h = 1 .. L/2 in registers.
     */
    private static void inVectorStages(float[] x, float[] y, int base, int m, float[] signs, int signOffset) {
        for (int i = 0; i < m; i += L) inVector(x, base + i, signs, signOffset + i).intoArray(y, base + i);
    }

    /** The stages h &lt; L of two neighbouring vectors, then the stage h = L between them, in one pass. */
    private static void firstStagesPairs(float[] x, float[] y, int base, int m, float[] signs, int signOffset) {
        for (int i = 0; i < m; i += 2 * L) {
            FloatVector a = inVector(x, base + i, signs, signOffset + i);
            FloatVector b = inVector(x, base + i + L, signs, signOffset + i + L);
            a.add(b).intoArray(y, base + i);
            b.fma(MINUS_ONE, a).intoArray(y, base + i + L);
        }
    }

    /** One vector of x (times its signs), after the stages h &lt; L. */
    private static FloatVector inVector(float[] x, int at, float[] signs, int signAt) {
        FloatVector v = FloatVector.fromArray(SPECIES, x, at);
        if (signs != null) v = v.mul(FloatVector.fromArray(SPECIES, signs, signAt));
        for (int s = 0; s < PARTNER.length; s++) {
            v = v.fma(LOWER_PLUS[s], v.rearrange(PARTNER[s]));
        }
        return v;
    }

    /**
     * For every 8 vectors (8L floats): the stages h &lt; L inside each vector, then the stages
     * h = L, 2L, 4L across the eight, in one pass. x and y may be the same array. The cross-vector
     * part is {@link #radix8}'s body written out again on purpose: a helper taking or returning
     * vectors is not reliably inlined by JDK 17's C2 here, and then boxes them (measured 7x slower).
     */
    private static void firstPass(float[] x, float[] y, int base, int m) {
        FloatVector minus = MINUS_ONE;
        int end = base + m;
        for (int i = base; i < end; i += 8 * L) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, x, i);
            FloatVector v1 = FloatVector.fromArray(SPECIES, x, i + L);
            FloatVector v2 = FloatVector.fromArray(SPECIES, x, i + 2 * L);
            FloatVector v3 = FloatVector.fromArray(SPECIES, x, i + 3 * L);
            FloatVector v4 = FloatVector.fromArray(SPECIES, x, i + 4 * L);
            FloatVector v5 = FloatVector.fromArray(SPECIES, x, i + 5 * L);
            FloatVector v6 = FloatVector.fromArray(SPECIES, x, i + 6 * L);
            FloatVector v7 = FloatVector.fromArray(SPECIES, x, i + 7 * L);
            // The first three in-vector stages through constant fields (measured faster than
            // through the arrays), the rest (wider vectors only) through the arrays.
            int s0 = 0;
            if (L >= 8) {
                v0 = v0.fma(S1, v0.rearrange(P1));
                v1 = v1.fma(S1, v1.rearrange(P1));
                v2 = v2.fma(S1, v2.rearrange(P1));
                v3 = v3.fma(S1, v3.rearrange(P1));
                v4 = v4.fma(S1, v4.rearrange(P1));
                v5 = v5.fma(S1, v5.rearrange(P1));
                v6 = v6.fma(S1, v6.rearrange(P1));
                v7 = v7.fma(S1, v7.rearrange(P1));
                v0 = v0.fma(S2, v0.rearrange(P2));
                v1 = v1.fma(S2, v1.rearrange(P2));
                v2 = v2.fma(S2, v2.rearrange(P2));
                v3 = v3.fma(S2, v3.rearrange(P2));
                v4 = v4.fma(S2, v4.rearrange(P2));
                v5 = v5.fma(S2, v5.rearrange(P2));
                v6 = v6.fma(S2, v6.rearrange(P2));
                v7 = v7.fma(S2, v7.rearrange(P2));
                v0 = v0.fma(S4, v0.rearrange(P4));
                v1 = v1.fma(S4, v1.rearrange(P4));
                v2 = v2.fma(S4, v2.rearrange(P4));
                v3 = v3.fma(S4, v3.rearrange(P4));
                v4 = v4.fma(S4, v4.rearrange(P4));
                v5 = v5.fma(S4, v5.rearrange(P4));
                v6 = v6.fma(S4, v6.rearrange(P4));
                v7 = v7.fma(S4, v7.rearrange(P4));
                s0 = 3;
            }
            for (int s = s0; s < PARTNER.length; s++) {
                VectorShuffle<Float> partner = PARTNER[s];
                FloatVector sign = LOWER_PLUS[s];
                v0 = v0.fma(sign, v0.rearrange(partner));
                v1 = v1.fma(sign, v1.rearrange(partner));
                v2 = v2.fma(sign, v2.rearrange(partner));
                v3 = v3.fma(sign, v3.rearrange(partner));
                v4 = v4.fma(sign, v4.rearrange(partner));
                v5 = v5.fma(sign, v5.rearrange(partner));
                v6 = v6.fma(sign, v6.rearrange(partner));
                v7 = v7.fma(sign, v7.rearrange(partner));
            }
            FloatVector a0 = v0.add(v1), a1 = v1.fma(minus, v0);
            FloatVector a2 = v2.add(v3), a3 = v3.fma(minus, v2);
            FloatVector a4 = v4.add(v5), a5 = v5.fma(minus, v4);
            FloatVector a6 = v6.add(v7), a7 = v7.fma(minus, v6);
            FloatVector b0 = a0.add(a2), b2 = a2.fma(minus, a0);
            FloatVector b1 = a1.add(a3), b3 = a3.fma(minus, a1);
            FloatVector b4 = a4.add(a6), b6 = a6.fma(minus, a4);
            FloatVector b5 = a5.add(a7), b7 = a7.fma(minus, a5);
            b0.add(b4).intoArray(y, i);
            b4.fma(minus, b0).intoArray(y, i + 4 * L);
            b1.add(b5).intoArray(y, i + L);
            b5.fma(minus, b1).intoArray(y, i + 5 * L);
            b2.add(b6).intoArray(y, i + 2 * L);
            b6.fma(minus, b2).intoArray(y, i + 6 * L);
            b3.add(b7).intoArray(y, i + 3 * L);
            b7.fma(minus, b3).intoArray(y, i + 7 * L);
        }
    }

    /** 128-bit vectors for {@link #narrowFirstPass}; partner lanes by byte shuffles (pshufb, in-lane). */
    private static final int NARROW_L = 4;
    private static final VectorSpecies<Float> NARROW = FloatVector.SPECIES_128;
    private static final VectorShuffle<Byte> NARROW_P1 = VectorShuffle.fromOp(ByteVector.SPECIES_128, j -> j ^ 4);
    private static final VectorShuffle<Byte> NARROW_P2 = VectorShuffle.fromOp(ByteVector.SPECIES_128, j -> j ^ 8);
    private static final FloatVector NARROW_S1 = FloatVector.fromArray(NARROW, new float[] {1, -1, 1, -1}, 0);
    private static final FloatVector NARROW_S2 = FloatVector.fromArray(NARROW, new float[] {1, 1, -1, -1}, 0);
    private static final FloatVector NARROW_MINUS_ONE = FloatVector.broadcast(NARROW, -1f);

    /**
     * {@link #firstPass} on 128-bit vectors of 4 floats: for every 8 vectors (32 floats), the
     * stages h = 1, 2 inside each vector, their partner lanes moved by a byte rearrange (one
     * in-lane pshufb, where a float rearrange is a cross-lane vpermd), then h = 4, 8, 16 across
     * the eight. The same butterflies as the 256-bit pass, one stage fewer (the caller goes on
     * from h = 32). Measured on JDK 25 (Zen 1): 500 ns per 1024 floats against 1050. Written out
     * for the reason given at {@link #firstPass}.
     */
    private static void narrowFirstPass(float[] x, float[] y, int base, int m) {
        FloatVector minus = NARROW_MINUS_ONE;
        int end = base + m;
        for (int i = base; i < end; i += 8 * NARROW_L) {
            FloatVector v0 = FloatVector.fromArray(NARROW, x, i);
            FloatVector v1 = FloatVector.fromArray(NARROW, x, i + 4);
            FloatVector v2 = FloatVector.fromArray(NARROW, x, i + 8);
            FloatVector v3 = FloatVector.fromArray(NARROW, x, i + 12);
            FloatVector v4 = FloatVector.fromArray(NARROW, x, i + 16);
            FloatVector v5 = FloatVector.fromArray(NARROW, x, i + 20);
            FloatVector v6 = FloatVector.fromArray(NARROW, x, i + 24);
            FloatVector v7 = FloatVector.fromArray(NARROW, x, i + 28);
            v0 = v0.fma(NARROW_S1, v0.reinterpretAsBytes().rearrange(NARROW_P1).reinterpretAsFloats());
            v1 = v1.fma(NARROW_S1, v1.reinterpretAsBytes().rearrange(NARROW_P1).reinterpretAsFloats());
            v2 = v2.fma(NARROW_S1, v2.reinterpretAsBytes().rearrange(NARROW_P1).reinterpretAsFloats());
            v3 = v3.fma(NARROW_S1, v3.reinterpretAsBytes().rearrange(NARROW_P1).reinterpretAsFloats());
            v4 = v4.fma(NARROW_S1, v4.reinterpretAsBytes().rearrange(NARROW_P1).reinterpretAsFloats());
            v5 = v5.fma(NARROW_S1, v5.reinterpretAsBytes().rearrange(NARROW_P1).reinterpretAsFloats());
            v6 = v6.fma(NARROW_S1, v6.reinterpretAsBytes().rearrange(NARROW_P1).reinterpretAsFloats());
            v7 = v7.fma(NARROW_S1, v7.reinterpretAsBytes().rearrange(NARROW_P1).reinterpretAsFloats());
            v0 = v0.fma(NARROW_S2, v0.reinterpretAsBytes().rearrange(NARROW_P2).reinterpretAsFloats());
            v1 = v1.fma(NARROW_S2, v1.reinterpretAsBytes().rearrange(NARROW_P2).reinterpretAsFloats());
            v2 = v2.fma(NARROW_S2, v2.reinterpretAsBytes().rearrange(NARROW_P2).reinterpretAsFloats());
            v3 = v3.fma(NARROW_S2, v3.reinterpretAsBytes().rearrange(NARROW_P2).reinterpretAsFloats());
            v4 = v4.fma(NARROW_S2, v4.reinterpretAsBytes().rearrange(NARROW_P2).reinterpretAsFloats());
            v5 = v5.fma(NARROW_S2, v5.reinterpretAsBytes().rearrange(NARROW_P2).reinterpretAsFloats());
            v6 = v6.fma(NARROW_S2, v6.reinterpretAsBytes().rearrange(NARROW_P2).reinterpretAsFloats());
            v7 = v7.fma(NARROW_S2, v7.reinterpretAsBytes().rearrange(NARROW_P2).reinterpretAsFloats());
            FloatVector a0 = v0.add(v1), a1 = v1.fma(minus, v0);
            FloatVector a2 = v2.add(v3), a3 = v3.fma(minus, v2);
            FloatVector a4 = v4.add(v5), a5 = v5.fma(minus, v4);
            FloatVector a6 = v6.add(v7), a7 = v7.fma(minus, v6);
            FloatVector b0 = a0.add(a2), b2 = a2.fma(minus, a0);
            FloatVector b1 = a1.add(a3), b3 = a3.fma(minus, a1);
            FloatVector b4 = a4.add(a6), b6 = a6.fma(minus, a4);
            FloatVector b5 = a5.add(a7), b7 = a7.fma(minus, a5);
            b0.add(b4).intoArray(y, i);
            b4.fma(minus, b0).intoArray(y, i + 16);
            b1.add(b5).intoArray(y, i + 4);
            b5.fma(minus, b1).intoArray(y, i + 20);
            b2.add(b6).intoArray(y, i + 8);
            b6.fma(minus, b2).intoArray(y, i + 24);
            b3.add(b7).intoArray(y, i + 12);
            b7.fma(minus, b3).intoArray(y, i + 28);
        }
    }

    /**
     * The stages h = h0, 2*h0, ..., m/2 over v[base..base+m), h0 &gt;= L: three per pass where
     * possible (radix 8; radix 16, one pass fewer, measured no faster: 16 live vectors spill).
     */
    private static void stages(float[] v, int base, int m, int h0) {
        int h = h0;
        while (h < m) {
            if (8 * h <= m) { radix8(v, base, m, h); h *= 8; }
            else if (4 * h <= m) { radix4(v, base, m, h); h *= 4; }
            else { radix2(v, base, m, h); h *= 2; }
        }
    }

    /** Stage h. */
    private static void radix2(float[] v, int base, int m, int h) {
        FloatVector minus = MINUS_ONE;
        int end = base + m;
        for (int blk = base; blk < end; blk += 2 * h) {
            int blkEnd = blk + h;
            for (int j = blk; j < blkEnd; j += L) {
                FloatVector v0 = FloatVector.fromArray(SPECIES, v, j);
                FloatVector v1 = FloatVector.fromArray(SPECIES, v, j + h);
                v0.add(v1).intoArray(v, j);
                v1.fma(minus, v0).intoArray(v, j + h);
            }
        }
    }

    /** Stages h and 2h: pairs at distance 1, then 2, in units of h. */
    private static void radix4(float[] v, int base, int m, int h) {
        FloatVector minus = MINUS_ONE;
        int end = base + m;
        for (int blk = base; blk < end; blk += 4 * h) {
            int blkEnd = blk + h;
            for (int j = blk; j < blkEnd; j += L) {
                FloatVector v0 = FloatVector.fromArray(SPECIES, v, j);
                FloatVector v1 = FloatVector.fromArray(SPECIES, v, j + h);
                FloatVector v2 = FloatVector.fromArray(SPECIES, v, j + 2 * h);
                FloatVector v3 = FloatVector.fromArray(SPECIES, v, j + 3 * h);
                FloatVector a0 = v0.add(v1), a1 = v1.fma(minus, v0);
                FloatVector a2 = v2.add(v3), a3 = v3.fma(minus, v2);
                a0.add(a2).intoArray(v, j);
                a2.fma(minus, a0).intoArray(v, j + 2 * h);
                a1.add(a3).intoArray(v, j + h);
                a3.fma(minus, a1).intoArray(v, j + 3 * h);
            }
        }
    }

    /** Stages h, 2h and 4h: pairs at distance 1, then 2, then 4, in units of h. */
    private static void radix8(float[] v, int base, int m, int h) {
        FloatVector minus = MINUS_ONE;
        int end = base + m;
        for (int blk = base; blk < end; blk += 8 * h) {
            int blkEnd = blk + h;
            for (int j = blk; j < blkEnd; j += L) {
                FloatVector v0 = FloatVector.fromArray(SPECIES, v, j);
                FloatVector v1 = FloatVector.fromArray(SPECIES, v, j + h);
                FloatVector v2 = FloatVector.fromArray(SPECIES, v, j + 2 * h);
                FloatVector v3 = FloatVector.fromArray(SPECIES, v, j + 3 * h);
                FloatVector v4 = FloatVector.fromArray(SPECIES, v, j + 4 * h);
                FloatVector v5 = FloatVector.fromArray(SPECIES, v, j + 5 * h);
                FloatVector v6 = FloatVector.fromArray(SPECIES, v, j + 6 * h);
                FloatVector v7 = FloatVector.fromArray(SPECIES, v, j + 7 * h);
                FloatVector a0 = v0.add(v1), a1 = v1.fma(minus, v0);
                FloatVector a2 = v2.add(v3), a3 = v3.fma(minus, v2);
                FloatVector a4 = v4.add(v5), a5 = v5.fma(minus, v4);
                FloatVector a6 = v6.add(v7), a7 = v7.fma(minus, v6);
                FloatVector b0 = a0.add(a2), b2 = a2.fma(minus, a0);
                FloatVector b1 = a1.add(a3), b3 = a3.fma(minus, a1);
                FloatVector b4 = a4.add(a6), b6 = a6.fma(minus, a4);
                FloatVector b5 = a5.add(a7), b7 = a7.fma(minus, a5);
                b0.add(b4).intoArray(v, j);
                b4.fma(minus, b0).intoArray(v, j + 4 * h);
                b1.add(b5).intoArray(v, j + h);
                b5.fma(minus, b1).intoArray(v, j + 5 * h);
                b2.add(b6).intoArray(v, j + 2 * h);
                b6.fma(minus, b2).intoArray(v, j + 6 * h);
                b3.add(b7).intoArray(v, j + 3 * h);
                b7.fma(minus, b3).intoArray(v, j + 7 * h);
            }
        }
    }

    /** The scale (one multiply), then for the inverse the signs, as the reference does. */
    private static void finish(float[] y, int base, int n, float scale, float[] inverseSigns) {
        for (int i = 0; i < n; i += L) {
            FloatVector v = FloatVector.fromArray(SPECIES, y, base + i);
            if (scale != 1f) v = v.mul(scale);
            if (inverseSigns != null) v = v.mul(FloatVector.fromArray(SPECIES, inverseSigns, i));
            v.intoArray(y, base + i);
        }
    }
}
