package io.lowbit.backend.vector;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.LionScalars;
import io.lowbit.backend.SgdScalars;
import io.lowbit.backend.scalar.ScalarBlockwise;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blockwise kernels with the Vector API for absmax and the scaled, clamped values (lane-wise
 * IEEE division and Math.max/min semantics, so the same floats as the reference), and a
 * table-driven nearest-code search: one load from {@link Codebook#bucketTable()} and one
 * branch-free integer compare per element (single values: {@link Codebook#searchStarts()} and
 * compares against {@link Codebook#searchKeys()}). Same codes as the reference binary
 * search, bit for bit (tested); the optimizer arithmetic is the reference's, lane-wise
 * (AdamW, SGD momentum, Lion). {@link #quantize} runs whole ranges of blocks in one method
 * (see quantizeRange); the step kernels requantize one block at a time through {@link #encode8}.
 */
public final class VectorBlockwise extends ScalarBlockwise {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Bytes with one lane per int lane, for the narrowing store; null where no such shape exists (fewer than 8 lanes). */
    private static final VectorSpecies<Byte> B = I.length() >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(I.length() * 8)) : null;
    private static final int KEY_MINUS_1 = Codebook.orderKey(Float.floatToRawIntBits(-1f)), KEY_PLUS_1 = Codebook.orderKey(Float.floatToRawIntBits(1f));
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Scratch(4096));

    /** v is normalized (clamped to [-1, 1]), as the reference passes it; branch-free as {@link #encode8}. */
    @Override
    protected int code(Codebook book, float v) {
        if (v != v) return 0;  // NaN: below no midpoint
        int b = Float.floatToRawIntBits(v), key = Codebook.orderKey(b);
        int[] keys = book.searchKeys();
        int c = book.searchStarts()[b >>> 16] & 0xFF;
        for (int s = book.searchSteps(); s > 0; s--) c += (keys[c] - key) >>> 31;
        return c;
    }

    @Override
    protected float blockAbsmax(float[] x, int from, int to) {
        // four accumulators: one max chain is latency-bound; max is associative and propagates NaN, as Math.max
        int i = from, step = 4 * F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int end = from + ((to - from) & -step); i < end; i += step) {
            a0 = a0.max(FloatVector.fromArray(F, x, i).abs());
            a1 = a1.max(FloatVector.fromArray(F, x, i + F.length()).abs());
            a2 = a2.max(FloatVector.fromArray(F, x, i + 2 * F.length()).abs());
            a3 = a3.max(FloatVector.fromArray(F, x, i + 3 * F.length()).abs());
        }
        for (int end = from + F.loopBound(to - from); i < end; i += F.length()) a0 = a0.max(FloatVector.fromArray(F, x, i).abs());
        float a = a0.max(a1).max(a2.max(a3)).reduceLanes(VectorOperators.MAX);
        for (; i < to; i++) a = Math.max(a, Math.abs(x[i]));
        return a;
    }

    /**
     * Whole ranges of blocks through {@link #quantizeRange}, scratch allocated once per range.
     * Left to the reference afterwards: blocks holding NaN or Inf (absmax not finite, so the
     * divisor neither: v can be NaN; quantizeRange wrote codes for them that are overwritten here)
     * and a last block that is not a whole number of absmax steps (4 vectors).
     */
    @Override
    public void quantize(Codebook book, int blockSize, float[] x, int n, float[] absmax, byte[] codes, int blockFrom, int blockTo) {
        if (book.bucketTable() == null || B == null) {  // several midpoints in a bucket, or fewer than 8 lanes
            super.quantize(book, blockSize, x, n, absmax, codes, blockFrom, blockTo);
            return;
        }
        int fastTo = blockTo;
        if (blockTo > blockFrom && Math.min(blockSize, n - (blockTo - 1) * blockSize) % (4 * F.length()) != 0) fastTo--;  // partial last block
        quantizeRange(book.bucketTable(), blockSize, x, n, codes, absmax, blockFrom, fastTo);
        for (int b = blockFrom; b < fastTo; b++) {
            if (!(absmax[b] <= Float.MAX_VALUE)) super.quantize(book, blockSize, x, n, absmax, codes, b, b + 1);
        }
        super.quantize(book, blockSize, x, n, absmax, codes, fastTo, blockTo);
    }

    /**
     * The step kernels' requantization (absmax known, divisor given), unchanged from before
     * {@link #quantizeRange}: routing single blocks through quantizeRange (absmax again, scratch
     * allocated per block) made the 8-bit AdamW step slower (96 -> 120-158 ms, 1 thread, measured).
     * Three passes over the block in L1-sized scratch. (1) lane-wise: v = x / divisor (IEEE
     * division, as the reference) as its order key, clamped to the keys of [-1, 1] (the same as
     * clamping v: the key order is the float order), then made unsigned; (2) per element, one load
     * from {@link Codebook#bucketTable()} (the only step that is not lane-wise: JDK 17 gathers are
     * slower than scalar loads); (3) lane-wise: code = (entry + u) >>> 17 ({@link Codebook#bucketTable()}), narrowed
     * to bytes. No data-dependent branch anywhere (a float compare per element would be
     * mispredicted about half the time). The divisor is the block's max(absmax, 1e-38f), as
     * quantizeBlock passes it: a NaN or infinite one (a block holding NaN or Inf, where v can be
     * NaN) takes the reference loop; a finite one means every x of the block is finite.
     */
    @Override
    protected void encode8(Codebook book, float[] x, int from, int to, float divisor, byte[] codes, int codeFrom) {
        int[] table = book.bucketTable();
        if (table == null || !(divisor <= Float.MAX_VALUE)) {  // several midpoints in a bucket, or NaN/Inf in the block
            super.encode8(book, x, from, to, divisor, codes, codeFrom);
            return;
        }
        int len = to - from;
        Scratch s = SCRATCH.get();
        if (s.keys.length < len) SCRATCH.set(s = new Scratch(len));
        int[] keys = s.keys, entries = s.entries;
        int i = 0;
        FloatVector d = FloatVector.broadcast(F, divisor);
        for (int end = F.loopBound(len); i < end; i += F.length()) {
            IntVector b = FloatVector.fromArray(F, x, from + i).div(d).reinterpretAsInts();
            IntVector key = b.lanewise(VectorOperators.XOR, b.lanewise(VectorOperators.ASHR, 31).and(0x7FFFFFFF));
            key.max(KEY_MINUS_1).min(KEY_PLUS_1).lanewise(VectorOperators.XOR, 0x80000000).intoArray(keys, i);
        }
        for (; i < len; i++) {
            keys[i] = Codebook.unsignedKey(Float.floatToRawIntBits(Math.min(1f, Math.max(-1f, x[from + i] / divisor))));
        }
        for (int k = 0; k < len; k++) entries[k] = table[keys[k] >>> 16];
        int k = 0;
        if (B != null) {
            for (int end = I.loopBound(len); k < end; k += I.length()) {
                IntVector.fromArray(I, entries, k).add(IntVector.fromArray(I, keys, k)).lanewise(VectorOperators.LSHR, 17)
                        .convertShape(VectorOperators.I2B, B, 0)
                        .reinterpretAsBytes().intoArray(codes, codeFrom + k);
            }
        }
        for (; k < len; k++) {
            codes[codeFrom + k] = (byte) ((entries[k] + keys[k]) >>> 17);
        }
    }

    private static final class Scratch {
        final int[] keys, entries;
        Scratch(int n) { keys = new int[n]; entries = new int[n]; }
    }

    /**
     * 7.2 for blocks [blockFrom, blockTo), each a whole number of absmax steps (4 vectors), with
     * finite x (else the codes are wrong and the caller redoes the block). Per block: absmax (four accumulators: one
     * max chain is latency-bound; max is associative and propagates NaN, as Math.max), then three
     * passes in L1 (keys, entries):
     * (1) lane-wise: v = x / divisor (IEEE division, as the reference) as its unsigned order key
     * ({@link Codebook#unsignedKey}); no clamp is needed: the divisor is finite and at least the
     * block's max |x|, so |x / divisor| <= 1 and so is its correct rounding;
     * (2) per element, one load from {@link Codebook#bucketTable()} (the only step that is not
     * lane-wise: JDK 17 gathers are slower than scalar loads, on this Zen 1 much slower);
     * (3) lane-wise: code = (entry + u) >>> 17 ({@link Codebook#bucketTable()}), narrowed to bytes.
     * No data-dependent branch (a float compare per element would be mispredicted about half
     * the time). Measured on the 2-core Zen 1, each of these cost 10-35% here: scratch passed in
     * rather than allocated in this method (C2 then cannot drop the table pass's range checks),
     * tail loops, an exit or a call to the reference inside the block loop, the passes in a
     * separate method (not inlined).
     */
    private static void quantizeRange(int[] table, int blockSize, float[] x, int n, byte[] codes, float[] absmax, int blockFrom, int blockTo) {
        int[] keys = new int[blockSize], entries = new int[blockSize];
        int L = F.length(), step = 4 * L;
        for (int b = blockFrom; b < blockTo; b++) {
            int from = b * blockSize, len = Math.min(n, from + blockSize) - from;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0, end = len & -step; i < end; i += step) {
                a0 = a0.max(FloatVector.fromArray(F, x, from + i).abs());
                a1 = a1.max(FloatVector.fromArray(F, x, from + i + L).abs());
                a2 = a2.max(FloatVector.fromArray(F, x, from + i + 2 * L).abs());
                a3 = a3.max(FloatVector.fromArray(F, x, from + i + 3 * L).abs());
            }
            float amax = a0.max(a1).max(a2.max(a3)).reduceLanes(VectorOperators.MAX);
            float divisor = Math.max(amax, 1e-38f);
            absmax[b] = amax;
            FloatVector d = FloatVector.broadcast(F, divisor);
            for (int i = 0, end = F.loopBound(len); i < end; i += L) {
                IntVector bits = FloatVector.fromArray(F, x, from + i).div(d).reinterpretAsInts();
                bits.lanewise(VectorOperators.XOR, bits.lanewise(VectorOperators.ASHR, 31).or(0x80000000)).intoArray(keys, i);
            }
            for (int k = 0; k < len; k++) entries[k] = table[keys[k] >>> 16];
            for (int k = 0, end = I.loopBound(len); k < end; k += L) {
                IntVector.fromArray(I, entries, k).add(IntVector.fromArray(I, keys, k)).lanewise(VectorOperators.LSHR, 17)
                        .convertShape(VectorOperators.I2B, B, 0)
                        .reinterpretAsBytes().intoArray(codes, from + k);
            }
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

    /** SGD momentum (docs/numerics-optim.md) lane-wise: the reference's float32 operations in its order, no FMA. */
    @Override
    protected int sgdUpdate(SgdScalars s, float[] p, float[] g, int pFrom, float[] buf, int sFrom, int len) {
        int bad = 0, k = 0;
        FloatVector zero = FloatVector.zero(F);
        for (int end = F.loopBound(len); k < end; k += F.length()) {
            int i = pFrom + k, j = sFrom + k;
            FloatVector gv = FloatVector.fromArray(F, g, i), pv = FloatVector.fromArray(F, p, i);
            VectorMask<Float> ok = gv.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY);  // false for NaN, Inf
            FloatVector b = FloatVector.fromArray(F, buf, j).mul(s.momentum()).add(gv.add(pv.mul(s.weightDecay())));
            zero.blend(b, ok).intoArray(buf, j);
            pv.blend(pv.sub(b.mul(s.lr())), ok).intoArray(p, i);
            bad += F.length() - ok.trueCount();
        }
        return bad + super.sgdUpdate(s, p, g, pFrom + k, buf, sFrom + k, len - k);
    }

    /** Lion (docs/numerics-optim.md) lane-wise: the reference's float32 operations in its order, no FMA. */
    @Override
    protected int lionUpdate(LionScalars s, float[] p, float[] g, int pFrom, float[] m, int sFrom, int len) {
        int bad = 0, k = 0;
        FloatVector zero = FloatVector.zero(F);
        for (int end = F.loopBound(len); k < end; k += F.length()) {
            int i = pFrom + k, j = sFrom + k;
            FloatVector gv = FloatVector.fromArray(F, g, i), mv = FloatVector.fromArray(F, m, j), pv = FloatVector.fromArray(F, p, i);
            VectorMask<Float> ok = gv.abs().compare(VectorOperators.LT, Float.POSITIVE_INFINITY);  // false for NaN, Inf
            FloatVector c = mv.mul(s.b1()).add(gv.mul(s.a1()));
            // Math.signum: 1 above 0, -1 below, c itself for +-0 and NaN
            FloatVector sign = c.blend(1f, c.compare(VectorOperators.GT, 0f)).blend(-1f, c.compare(VectorOperators.LT, 0f));
            pv.blend(pv.mul(s.decay()).sub(sign.mul(s.lr())), ok).intoArray(p, i);
            zero.blend(mv.mul(s.b2()).add(gv.mul(s.a2())), ok).intoArray(m, j);
            bad += F.length() - ok.trueCount();
        }
        return bad + super.lionUpdate(s, p, g, pFrom + k, m, sFrom + k, len - k);
    }
}
