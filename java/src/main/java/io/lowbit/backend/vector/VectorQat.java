package io.lowbit.backend.vector;

import io.lowbit.backend.QatKernels;
import io.lowbit.backend.scalar.PairwiseSum;
import io.lowbit.backend.scalar.ScalarQat;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * LSQ fake quantization on the Vector API, multithreaded; the same bits as {@link ScalarQat}.
 *
 * <p>Elementwise work (q, dx, the terms g*t) may be split anywhere. The sums of ds are split
 * only at the nodes of the canonical pairwise tree ({@link PairwiseSum#split}): a node of at
 * most {@link #LEAF} elements is summed on one thread with {@link PairwiseSum#sum}; larger
 * nodes sum their two children (possibly on two threads) with one float32 addition, exactly
 * as the tree does. Scale segments are independent and run in parallel.
 */
final class VectorQat implements QatKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Largest tree node whose terms are buffered and summed in one piece. */
    static final int LEAF = 4096;
    private static final float TWO_23 = 8388608.0f;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][LEAF]);

    private final ForkJoinPool pool;
    /** Work (elements) below which a task runs on its own thread without forking. */
    private final int forkThreshold;

    /** One worker per processor (the common pool has one fewer, i.e. none extra on 2 cores); daemon threads. */
    private static final class DefaultPool {
        static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
    }

    VectorQat() {
        this(DefaultPool.POOL, 1 << 16);
    }

    /** For tests: a small threshold forces splits at every level. */
    VectorQat(ForkJoinPool pool, int forkThreshold) {
        this.pool = pool;
        this.forkThreshold = Math.max(1, forkThreshold);
    }

    /** The scale segments of one call. */
    private record Layout(int rows, int cols, int group, int perRow) {
        int from(int k) { return (k / perRow) * cols + (k % perRow) * group; }
        int len(int k) { return Math.min(group, cols - (k % perRow) * group); }
    }

    @Override
    public void lsqForward(float[] x, int rows, int cols, int group, float[] scales, float[] offsets,
                           int qn, int qp, float[] q) {
        if (cols == 0 || rows == 0) return;
        Layout layout = new Layout(rows, cols, group, (cols + group - 1) / group);
        run(new SegmentTask(layout, 0, rows * layout.perRow, k -> {
            int from = layout.from(k);
            forwardRange(x, scales[k], offsets == null ? Float.NaN : offsets[k], offsets != null,
                    qn, qp, q, from, from + layout.len(k));
        }));
    }

    @Override
    public void lsqBackward(float[] x, float[] g, int rows, int cols, int group, float[] scales, float[] offsets,
                            int qn, int qp, float[] dx, float[] ds, float[] dOffsets) {
        if (cols == 0 || rows == 0) return;
        Layout layout = new Layout(rows, cols, group, (cols + group - 1) / group);
        run(new SegmentTask(layout, 0, rows * layout.perRow, k -> {
            int len = layout.len(k);
            NodeSum node = new NodeSum(x, g, dx, scales[k], offsets == null ? 0f : offsets[k], offsets != null,
                    qn, qp, layout.from(k), len);
            node.compute();
            float scale = ScalarQat.gradScale(len, qp);
            ds[k] = scale * node.sumT;
            if (offsets != null) dOffsets[k] = scale * node.sumU;
        }));
    }

    private void run(RecursiveAction task) {
        if (pool.getParallelism() <= 1) task.invoke();
        else pool.invoke(task);
    }

    private interface SegmentBody { void run(int k); }

    /** Segments [k0, k1): halved while they hold more than forkThreshold elements. */
    private final class SegmentTask extends RecursiveAction {
        final Layout layout; final int k0, k1; final SegmentBody body;

        SegmentTask(Layout layout, int k0, int k1, SegmentBody body) {
            this.layout = layout; this.k0 = k0; this.k1 = k1; this.body = body;
        }

        @Override
        protected void compute() {
            long work = (long) (k1 - k0) * layout.group;
            // getPool() is null when run without a pool (parallelism 1): never fork then
            if (k1 - k0 > 1 && work > forkThreshold && getPool() != null) {
                int mid = (k0 + k1) >>> 1;
                invokeAll(new SegmentTask(layout, k0, mid, body), new SegmentTask(layout, mid, k1, body));
            } else {
                for (int k = k0; k < k1; k++) body.run(k);
            }
        }
    }

    /** One node [from, from + len) of a segment's pairwise tree: dx for its elements and its two sums. */
    private final class NodeSum extends RecursiveAction {
        final float[] x, g, dx; final float s, beta; final boolean hasOffset; final int qn, qp, from, len;
        float sumT, sumU;

        NodeSum(float[] x, float[] g, float[] dx, float s, float beta, boolean hasOffset, int qn, int qp, int from, int len) {
            this.x = x; this.g = g; this.dx = dx; this.s = s; this.beta = beta; this.hasOffset = hasOffset;
            this.qn = qn; this.qp = qp; this.from = from; this.len = len;
        }

        @Override
        protected void compute() {
            if (len <= LEAF) {
                float[][] scratch = SCRATCH.get();
                backwardRange(x, g, dx, s, beta, hasOffset, qn, qp, from, len, scratch[0], scratch[1]);
                sumT = PairwiseSum.sum(scratch[0], 0, len);
                sumU = hasOffset ? PairwiseSum.sum(scratch[1], 0, len) : 0f;
                return;
            }
            int h = PairwiseSum.split(len);
            NodeSum left = new NodeSum(x, g, dx, s, beta, hasOffset, qn, qp, from, h);
            NodeSum right = new NodeSum(x, g, dx, s, beta, hasOffset, qn, qp, from + h, len - h);
            if (len > forkThreshold && getPool() != null) {
                invokeAll(left, right);
            } else {
                left.compute();
                right.compute();
            }
            sumT = left.sumT + right.sumT;
            sumU = left.sumU + right.sumU;
        }
    }

    /** rne of the quotient for |v| &lt; 2^23 by the 2^23 trick, sign copied back; larger |v| clamp anyway. */
    private static FloatVector roundHalfEven(FloatVector v) {
        FloatVector mag = v.abs().add(TWO_23).sub(TWO_23);
        IntVector sign = v.reinterpretAsInts().and(0x80000000);
        return mag.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    private static FloatVector quotients(float[] x, int i, float s, float beta, boolean hasOffset) {
        FloatVector xv = FloatVector.fromArray(F, x, i);
        return (hasOffset ? xv.sub(beta) : xv).div(s);
    }

    private static FloatVector clampLevel(FloatVector r, float lo, float hi) {
        r = r.blend(lo, r.compare(VectorOperators.LT, lo));
        return r.blend(hi, r.compare(VectorOperators.GT, hi));
    }

    static void forwardRange(float[] x, float s, float beta, boolean hasOffset, int qn, int qp,
                             float[] q, int from, int to) {
        float lo = -qn, hi = qp;
        int i = from;
        for (int end = from + F.loopBound(to - from); i < end; i += F.length()) {
            FloatVector level = clampLevel(roundHalfEven(quotients(x, i, s, beta, hasOffset)), lo, hi);
            FloatVector out = level.mul(s);
            (hasOffset ? out.add(beta) : out).intoArray(q, i);
        }
        for (; i < to; i++) {
            float v = (hasOffset ? x[i] - beta : x[i]) / s;
            float level = ScalarQat.clamp(ScalarQat.rne(v), lo, hi);
            q[i] = hasOffset ? level * s + beta : level * s;
        }
    }

    /** dx over [from, from + len) and the terms g*t (and g*u) into tTerms[0..len), uTerms[0..len). */
    static void backwardRange(float[] x, float[] g, float[] dx, float s, float beta, boolean hasOffset, int qn, int qp,
                              int from, int len, float[] tTerms, float[] uTerms) {
        float lo = -qn, hi = qp;
        int e = 0;
        for (int end = F.loopBound(len); e < end; e += F.length()) {
            int i = from + e;
            FloatVector v = quotients(x, i, s, beta, hasOffset);
            FloatVector gv = FloatVector.fromArray(F, g, i);
            VectorMask<Float> below = v.compare(VectorOperators.LT, lo);
            VectorMask<Float> above = v.compare(VectorOperators.GT, hi);
            VectorMask<Float> in = v.compare(VectorOperators.GE, lo).and(v.compare(VectorOperators.LE, hi));
            FloatVector t = roundHalfEven(v).sub(v).blend(lo, below).blend(hi, above);
            FloatVector.zero(F).blend(gv, in).intoArray(dx, i);
            gv.mul(t).intoArray(tTerms, e);
            if (hasOffset) gv.mul(FloatVector.broadcast(F, 1f).blend(0f, in)).intoArray(uTerms, e);
        }
        for (; e < len; e++) {
            int i = from + e;
            float v = (hasOffset ? x[i] - beta : x[i]) / s;
            boolean in = ScalarQat.inside(v, qn, qp);
            dx[i] = in ? g[i] : 0.0f;
            tTerms[e] = g[i] * ScalarQat.stepTerm(v, qn, qp);
            uTerms[e] = g[i] * (in ? 0.0f : 1.0f);
        }
    }
}
