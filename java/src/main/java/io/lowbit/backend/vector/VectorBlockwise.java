package io.lowbit.backend.vector;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.scalar.ScalarBlockwise;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blockwise kernels with the Vector API for absmax and the scaled, clamped values (lane-wise
 * IEEE division and Math.max/min semantics, so the same floats as the reference), and a
 * table-driven nearest-code search: the top 16 bits of v index {@link Codebook#searchStarts()},
 * then at most a few midpoint compares finish the count. Same codes as the reference binary
 * search, bit for bit (tested); the optimizer arithmetic is the reference's.
 */
public final class VectorBlockwise extends ScalarBlockwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[4096]);

    @Override
    protected int code(Codebook book, float v) {
        if (v != v) return 0;  // NaN: below no midpoint
        float[] mids = book.midpointsUnsafe();
        int c = book.searchStarts()[Float.floatToRawIntBits(v) >>> 16] & 0xFF;
        while (c < mids.length && mids[c] < v) c++;
        return c;
    }

    @Override
    protected float blockAbsmax(float[] x, int from, int to) {
        int i = from;
        FloatVector acc = FloatVector.zero(F);
        for (int end = from + F.loopBound(to - from); i < end; i += F.length()) {
            acc = acc.max(FloatVector.fromArray(F, x, i).abs());  // max propagates NaN, as Math.max
        }
        float a = acc.reduceLanes(VectorOperators.MAX);
        for (; i < to; i++) a = Math.max(a, Math.abs(x[i]));
        return a;
    }

    @Override
    protected void encode8(Codebook book, float[] x, int from, int to, float divisor, byte[] codes, int codeFrom) {
        int len = to - from;
        float[] v = SCRATCH.get();
        if (v.length < len) {
            v = new float[len];
            SCRATCH.set(v);
        }
        int i = 0;
        FloatVector d = FloatVector.broadcast(F, divisor);
        for (int end = F.loopBound(len); i < end; i += F.length()) {
            FloatVector.fromArray(F, x, from + i).div(d).max(-1f).min(1f).intoArray(v, i);
        }
        for (; i < len; i++) v[i] = Math.min(1f, Math.max(-1f, x[from + i] / divisor));
        byte[] starts = book.searchStarts();
        float[] mids = book.midpointsUnsafe();
        int last = mids.length;
        for (int k = 0; k < len; k++) {
            float vk = v[k];
            int c = starts[Float.floatToRawIntBits(vk) >>> 16] & 0xFF;
            while (c < last && mids[c] < vk) c++;
            codes[codeFrom + k] = (byte) (vk != vk ? 0 : c);
        }
    }

    /** 7.3 steps 1-3 lane-wise: the same float32 operations in the same order, no FMA. */
    @Override
    protected int adamwUpdate(AdamWScalars s, float[] p, float[] g, int pFrom, float[] m, float[] v, int sFrom, int len) {
        int bad = 0, k = 0;
        FloatVector zero = FloatVector.zero(F);
        for (int end = F.loopBound(len); k < end; k += F.length()) {
            int i = pFrom + k, j = sFrom + k;
            FloatVector gv = FloatVector.fromArray(F, g, i);
            VectorMask<Float> ok = gv.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY);  // false for NaN, Inf
            FloatVector mv = FloatVector.fromArray(F, m, j).mul(s.b1()).add(gv.mul(s.a1()));
            FloatVector vv = FloatVector.fromArray(F, v, j).mul(s.b2()).add(gv.mul(gv).mul(s.a2()));
            FloatVector pv = FloatVector.fromArray(F, p, i);
            FloatVector upd = mv.div(vv.sqrt().div(s.bc2s()).add(s.eps())).mul(s.stepSize());
            pv.blend(pv.mul(s.decay()).sub(upd), ok).intoArray(p, i);
            zero.blend(mv, ok).intoArray(m, j);
            zero.blend(vv, ok).intoArray(v, j);
            bad += F.length() - ok.trueCount();
        }
        return bad + super.adamwUpdate(s, p, g, pFrom + k, m, v, sFrom + k, len - k);
    }
}
