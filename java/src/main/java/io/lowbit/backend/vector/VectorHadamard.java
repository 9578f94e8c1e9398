package io.lowbit.backend.vector;

import io.lowbit.backend.scalar.ScalarHadamard;
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
 *   <li>does the stages h &lt; L (L = lanes per vector) inside one vector: lane i gets
 *       {@code v[i^h] + v[i]*(+-1)}, which is {@code v[i] + v[i+h]} for the lower lane and
 *       {@code v[i-h] - v[i]} for the upper one (x + (-y) is x - y in IEEE arithmetic, and
 *       multiplying by +-1 is exact);</li>
 *   <li>does the stages h &lt; {@link #CHUNK} one L1-sized chunk at a time (those stages never
 *       pair elements of different chunks), then the larger stages over the whole block;</li>
 *   <li>does the stages h &lt; L of two neighbouring vectors and the stage h = L between them in
 *       the first pass, then up to three stages per pass (radix 8: eight vectors in registers).</li>
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

    private final int parallelMin;
    private final int threads;

    public VectorHadamard() { this(DEFAULT_PARALLEL_MIN, Runtime.getRuntime().availableProcessors()); }

    /** For tests and benchmarks: split inputs of at least {@code parallelMin} floats over {@code threads}. */
    public VectorHadamard(int parallelMin, int threads) {
        this.parallelMin = Math.max(1, parallelMin);
        this.threads = Math.max(1, threads);
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
        if (parts <= 1) {
            blocks(x, y, 0, blocks, n, scale, inverse, signs);
        } else {
            IntStream.range(0, parts).parallel().forEach(p ->
                    blocks(x, y, (int) ((long) blocks * p / parts), (int) ((long) blocks * (p + 1) / parts),
                            n, scale, inverse, signs));
        }
    }

    private static void blocks(float[] x, float[] y, int from, int to, int n, float scale, boolean inverse, float[] signs) {
        for (int b = from; b < to; b++) block(x, y, b * n, n, scale, inverse, signs);
    }

    private static void block(float[] x, float[] y, int base, int n, float scale, boolean inverse, float[] signs) {
        float[] forwardSigns = inverse ? null : signs;
        int chunk = Math.min(n, CHUNK);
        for (int c = 0; c < n; c += chunk) {
            if (chunk >= 2 * L) {
                firstStagesPairs(x, y, base + c, chunk, forwardSigns, c);
                stages(y, base + c, chunk, 2 * L);
            } else {
                inVectorStages(x, y, base + c, chunk, forwardSigns, c);
            }
        }
        stages(y, base, n, chunk);
        if (scale != 1f || (inverse && signs != null)) finish(y, base, n, scale, inverse ? signs : null);
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
            a.sub(b).intoArray(y, base + i + L);
        }
    }

    /** One vector of x (times its signs), after the stages h &lt; L. */
    private static FloatVector inVector(float[] x, int at, float[] signs, int signAt) {
        FloatVector v = FloatVector.fromArray(SPECIES, x, at);
        if (signs != null) v = v.mul(FloatVector.fromArray(SPECIES, signs, signAt));
        for (int s = 0; s < PARTNER.length; s++) {
            v = v.rearrange(PARTNER[s]).add(v.mul(LOWER_PLUS[s]));
        }
        return v;
    }

    /** The stages h = h0, 2*h0, ..., m/2 over v[base..base+m), h0 &gt;= L; three per pass where possible. */
    private static void stages(float[] v, int base, int m, int h0) {
        int h = h0;
        while (h < m) {
            if (8 * h <= m) { radix8(v, base, m, h); h *= 8; }
            else if (4 * h <= m) { radix4(v, base, m, h); h *= 4; }
            else { radix2(v, base, m, h); h *= 2; }
        }
    }

    private static void radix2(float[] v, int base, int m, int h) {
        for (int blk = base; blk < base + m; blk += 2 * h) {
            for (int j = blk; j < blk + h; j += L) {
                FloatVector a = FloatVector.fromArray(SPECIES, v, j);
                FloatVector b = FloatVector.fromArray(SPECIES, v, j + h);
                a.add(b).intoArray(v, j);
                a.sub(b).intoArray(v, j + h);
            }
        }
    }

    /** Stages h and 2h: pairs (0,1),(2,3) then (0,2),(1,3), in units of h. */
    private static void radix4(float[] v, int base, int m, int h) {
        for (int blk = base; blk < base + m; blk += 4 * h) {
            for (int j = blk; j < blk + h; j += L) {
                FloatVector v0 = FloatVector.fromArray(SPECIES, v, j);
                FloatVector v1 = FloatVector.fromArray(SPECIES, v, j + h);
                FloatVector v2 = FloatVector.fromArray(SPECIES, v, j + 2 * h);
                FloatVector v3 = FloatVector.fromArray(SPECIES, v, j + 3 * h);
                FloatVector a0 = v0.add(v1), a1 = v0.sub(v1), a2 = v2.add(v3), a3 = v2.sub(v3);
                a0.add(a2).intoArray(v, j);
                a1.add(a3).intoArray(v, j + h);
                a0.sub(a2).intoArray(v, j + 2 * h);
                a1.sub(a3).intoArray(v, j + 3 * h);
            }
        }
    }

    /** Stages h, 2h and 4h: pairs at distance 1, then 2, then 4, in units of h. */
    private static void radix8(float[] v, int base, int m, int h) {
        for (int blk = base; blk < base + m; blk += 8 * h) {
            for (int j = blk; j < blk + h; j += L) {
                FloatVector v0 = FloatVector.fromArray(SPECIES, v, j);
                FloatVector v1 = FloatVector.fromArray(SPECIES, v, j + h);
                FloatVector v2 = FloatVector.fromArray(SPECIES, v, j + 2 * h);
                FloatVector v3 = FloatVector.fromArray(SPECIES, v, j + 3 * h);
                FloatVector v4 = FloatVector.fromArray(SPECIES, v, j + 4 * h);
                FloatVector v5 = FloatVector.fromArray(SPECIES, v, j + 5 * h);
                FloatVector v6 = FloatVector.fromArray(SPECIES, v, j + 6 * h);
                FloatVector v7 = FloatVector.fromArray(SPECIES, v, j + 7 * h);
                FloatVector a0 = v0.add(v1), a1 = v0.sub(v1), a2 = v2.add(v3), a3 = v2.sub(v3);
                FloatVector a4 = v4.add(v5), a5 = v4.sub(v5), a6 = v6.add(v7), a7 = v6.sub(v7);
                FloatVector b0 = a0.add(a2), b2 = a0.sub(a2), b1 = a1.add(a3), b3 = a1.sub(a3);
                FloatVector b4 = a4.add(a6), b6 = a4.sub(a6), b5 = a5.add(a7), b7 = a5.sub(a7);
                b0.add(b4).intoArray(v, j);
                b1.add(b5).intoArray(v, j + h);
                b2.add(b6).intoArray(v, j + 2 * h);
                b3.add(b7).intoArray(v, j + 3 * h);
                b0.sub(b4).intoArray(v, j + 4 * h);
                b1.sub(b5).intoArray(v, j + 5 * h);
                b2.sub(b6).intoArray(v, j + 6 * h);
                b3.sub(b7).intoArray(v, j + 7 * h);
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
