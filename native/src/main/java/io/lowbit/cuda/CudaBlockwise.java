package io.lowbit.cuda;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.LionScalars;
import io.lowbit.backend.SgdScalars;

import java.util.Arrays;

/**
 * Blockwise quantization (8-bit and 4-bit packed) and the fused optimizer steps (AdamW, SGD, Lion;
 * contract 7.2, 7.3, docs/numerics-optim.md) on host arrays: copy the blocks
 * {@code [blockFrom, blockTo)} in, one kernel, copy them out. Bit for bit
 * {@link io.lowbit.backend.scalar.ScalarBlockwise}. Arguments are checked by the public API (as
 * for every {@code BlockwiseKernels}).
 */
final class CudaBlockwise implements BlockwiseKernels {
    /** Rule ids of lowbit_blockwise.cuh (LB_OPT_*). */
    static final int ADAMW = 0, SGD = 1, LION = 2;

    @Override
    public void quantize(Codebook codebook, int blockSize, float[] x, int n, float[] absmax, byte[] codes,
                         int blockFrom, int blockTo) {
        quantize(codebook, false, blockSize, x, n, absmax, codes, blockFrom, blockTo);
    }

    @Override
    public void quantize4(Codebook codebook, int blockSize, float[] x, int n, float[] absmax, byte[] packed,
                          int blockFrom, int blockTo) {
        quantize(codebook, true, blockSize, x, n, absmax, packed, blockFrom, blockTo);
    }

    @Override
    public void dequantize(Codebook codebook, int blockSize, byte[] codes, float[] absmax, int n, float[] out,
                           int blockFrom, int blockTo) {
        dequantize(codebook, false, blockSize, codes, absmax, n, out, blockFrom, blockTo);
    }

    @Override
    public void dequantize4(Codebook codebook, int blockSize, byte[] packed, float[] absmax, int n, float[] out,
                            int blockFrom, int blockTo) {
        dequantize(codebook, true, blockSize, packed, absmax, n, out, blockFrom, blockTo);
    }

    @Override
    public int adamw8(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
                      byte[] mCodes, float[] mAbsmax, byte[] vCodes, float[] vAbsmax, int n, int blockFrom, int blockTo) {
        return blocks(ADAMW, scalars(s), false, mBook, vBook, blockSize, p, g, mCodes, mAbsmax, vCodes, vAbsmax, n,
                blockFrom, blockTo);
    }

    @Override
    public int adamw4(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
                      byte[] mPacked, float[] mAbsmax, byte[] vPacked, float[] vAbsmax, int n, int blockFrom, int blockTo) {
        return blocks(ADAMW, scalars(s), true, mBook, vBook, blockSize, p, g, mPacked, mAbsmax, vPacked, vAbsmax, n,
                blockFrom, blockTo);
    }

    @Override
    public int sgd8(SgdScalars s, Codebook book, int blockSize, float[] p, float[] g, byte[] bufCodes, float[] bufAbsmax,
                    int n, int blockFrom, int blockTo) {
        return blocks(SGD, scalars(s), false, book, null, blockSize, p, g, bufCodes, bufAbsmax, null, null, n,
                blockFrom, blockTo);
    }

    @Override
    public int lion8(LionScalars s, Codebook book, int blockSize, float[] p, float[] g, byte[] mCodes, float[] mAbsmax,
                     int n, int blockFrom, int blockTo) {
        return blocks(LION, scalars(s), false, book, null, blockSize, p, g, mCodes, mAbsmax, null, null, n,
                blockFrom, blockTo);
    }

    @Override
    public int adamw32(AdamWScalars s, float[] p, float[] g, float[] m, float[] v, int from, int to) {
        return elements(ADAMW, scalars(s), p, g, m, v, from, to);
    }

    @Override
    public int sgd32(SgdScalars s, float[] p, float[] g, float[] buf, int from, int to) {
        return elements(SGD, scalars(s), p, g, buf, null, from, to);
    }

    @Override
    public int lion32(LionScalars s, float[] p, float[] g, float[] m, int from, int to) {
        return elements(LION, scalars(s), p, g, m, null, from, to);
    }

    // ---- the scalars in the order of lowbit_blockwise.cuh (the records' order) ----

    static float[] scalars(AdamWScalars s) {
        return new float[] {s.b1(), s.a1(), s.b2(), s.a2(), s.stepSize(), s.bc2s(), s.decay(), s.eps()};
    }

    static float[] scalars(SgdScalars s) { return new float[] {s.lr(), s.momentum(), s.weightDecay()}; }

    static float[] scalars(LionScalars s) { return new float[] {s.lr(), s.b1(), s.a1(), s.b2(), s.a2(), s.decay()}; }

    // ---- copies and launches ----

    private static void quantize(Codebook codebook, boolean packed, int blockSize, float[] x, int n, float[] absmax,
                                 byte[] codes, int blockFrom, int blockTo) {
        Range r = Range.of(blockSize, n, blockFrom, blockTo);
        zeroEmptyBlocks(r, blockFrom, blockTo, absmax);
        if (r.isEmpty()) return;
        int codeBytes = r.codeBytes(packed);
        try (DeviceBuffer dx = DeviceBuffer.floats(r.count); DeviceBuffer da = DeviceBuffer.floats(r.blocks);
             DeviceBuffer dc = DeviceBuffer.bytes(codeBytes); DeviceCodebook book = DeviceCodebook.of(codebook)) {
            dx.copyFrom(x, r.from, 0, r.count);
            if (packed) dc.copyFrom(codes, r.from / 2, 0, codeBytes);  // a lone last nibble keeps its neighbour
            if (packed) CudaKernels.blockwiseQuantize4(book, blockSize, dx, r.count, da, dc);
            else CudaKernels.blockwiseQuantize(book, blockSize, dx, r.count, da, dc);
            da.copyTo(0, absmax, blockFrom, r.blocks);
            dc.copyTo(0, codes, packed ? r.from / 2 : r.from, codeBytes);
        }
    }

    private static void dequantize(Codebook codebook, boolean packed, int blockSize, byte[] codes, float[] absmax, int n,
                                   float[] out, int blockFrom, int blockTo) {
        Range r = Range.of(blockSize, n, blockFrom, blockTo);
        if (r.isEmpty()) return;
        int codeBytes = r.codeBytes(packed);
        try (DeviceBuffer dc = DeviceBuffer.bytes(codeBytes); DeviceBuffer da = DeviceBuffer.floats(r.blocks);
             DeviceBuffer dout = DeviceBuffer.floats(r.count); DeviceCodebook book = DeviceCodebook.of(codebook)) {
            dc.copyFrom(codes, packed ? r.from / 2 : r.from, 0, codeBytes);
            da.copyFrom(absmax, blockFrom, 0, r.blocks);
            if (packed) CudaKernels.blockwiseDequantize4(book, blockSize, dc, da, r.count, dout);
            else CudaKernels.blockwiseDequantize(book, blockSize, dc, da, r.count, dout);
            dout.copyTo(0, out, r.from, r.count);
        }
    }

    /** A blockwise step with one state (book1 == null) or two. */
    private static int blocks(int kind, float[] scalars, boolean packed, Codebook book0, Codebook book1, int blockSize,
                              float[] p, float[] g, byte[] codes0, float[] absmax0, byte[] codes1, float[] absmax1, int n,
                              int blockFrom, int blockTo) {
        Range r = Range.of(blockSize, n, blockFrom, blockTo);
        zeroEmptyBlocks(r, blockFrom, blockTo, absmax0);
        if (book1 != null) zeroEmptyBlocks(r, blockFrom, blockTo, absmax1);
        if (r.isEmpty()) return 0;
        int codeBytes = r.codeBytes(packed), codeAt = packed ? r.from / 2 : r.from;
        try (DeviceBuffer dp = DeviceBuffer.floats(r.count); DeviceBuffer dg = DeviceBuffer.floats(r.count);
             State s0 = new State(book0, codes0, absmax0, codeAt, codeBytes, blockFrom, r.blocks);
             State s1 = book1 == null ? null : new State(book1, codes1, absmax1, codeAt, codeBytes, blockFrom, r.blocks)) {
            dp.copyFrom(p, r.from, 0, r.count);
            dg.copyFrom(g, r.from, 0, r.count);
            long nonFinite = CudaKernels.optimizerBlocks(kind, scalars, packed, s0.book, s1 == null ? null : s1.book,
                    blockSize, dp, dg, s0.codes, s0.absmax, s1 == null ? null : s1.codes, s1 == null ? null : s1.absmax,
                    r.count);
            dp.copyTo(0, p, r.from, r.count);
            s0.copyBack(codes0, absmax0);
            if (s1 != null) s1.copyBack(codes1, absmax1);
            return Math.toIntExact(nonFinite);
        }
    }

    /** A 32-bit step over elements [from, to); s1 == null for one-state rules. */
    private static int elements(int kind, float[] scalars, float[] p, float[] g, float[] s0, float[] s1, int from, int to) {
        int count = to - from;
        if (count <= 0) return 0;
        try (DeviceBuffer dp = DeviceBuffer.floats(count); DeviceBuffer dg = DeviceBuffer.floats(count);
             DeviceBuffer d0 = DeviceBuffer.floats(count); DeviceBuffer d1 = s1 == null ? null : DeviceBuffer.floats(count)) {
            dp.copyFrom(p, from, 0, count);
            dg.copyFrom(g, from, 0, count);
            d0.copyFrom(s0, from, 0, count);
            if (d1 != null) d1.copyFrom(s1, from, 0, count);
            long[] nonFinite = new long[1];
            CudaException.check(LowbitCuda.lb_launch_opt32(kind, scalars, dp.address(), dg.address(), d0.address(),
                    d1 == null ? 0 : d1.address(), count, nonFinite, dp.stream()),
                    "kernel lb_opt32_kernel (" + RULES[kind] + ", n=" + count + ")");
            dp.copyTo(0, p, from, count);
            d0.copyTo(0, s0, from, count);
            if (d1 != null) d1.copyTo(0, s1, from, count);
            return Math.toIntExact(nonFinite[0]);
        }
    }

    static final String[] RULES = {"adamw", "sgd", "lion"};

    private static int flag(boolean b) { return b ? 1 : 0; }

    /**
     * Elements {@code [from, from + count)} of the blocks {@code [blockFrom, blockTo)}, of which the
     * first {@code blocks} hold elements. Blocks wholly past n are empty: the reference gives them
     * absmax 0 (the max over no element), see {@link #zeroEmptyBlocks}.
     */
    private record Range(int from, int count, int blocks) {
        static Range of(int blockSize, int n, int blockFrom, int blockTo) {
            if (blockTo <= blockFrom) return new Range(0, 0, 0);
            long from = Math.min((long) blockFrom * blockSize, n);
            long to = Math.min(n, (long) blockTo * blockSize);
            int count = (int) (to - from);
            return new Range((int) from, count, (int) ((count + (long) blockSize - 1) / blockSize));
        }

        boolean isEmpty() { return count == 0; }

        /** Bytes of codes: one per element, or two elements per byte (from is even: 4-bit block sizes are even). */
        int codeBytes(boolean packed) { return packed ? (count + 1) / 2 : count; }
    }

    private static void zeroEmptyBlocks(Range r, int blockFrom, int blockTo, float[] absmax) {
        Arrays.fill(absmax, blockFrom + r.blocks, Math.max(blockTo, blockFrom + r.blocks), 0f);
    }

    /** One quantized optimizer state on the device: its codebook, codes and absmax of the range. */
    private static final class State implements AutoCloseable {
        final DeviceCodebook book;
        final DeviceBuffer codes, absmax;
        private final int codeAt, codeBytes, blockFrom, blocks;

        State(Codebook b, byte[] hostCodes, float[] hostAbsmax, int codeAt, int codeBytes, int blockFrom, int blocks) {
            this.codeAt = codeAt;
            this.codeBytes = codeBytes;
            this.blockFrom = blockFrom;
            this.blocks = blocks;
            DeviceCodebook bk = DeviceCodebook.of(b);
            DeviceBuffer c = null, a = null;
            try {
                c = DeviceBuffer.bytes(codeBytes);
                c.copyFrom(hostCodes, codeAt, 0, codeBytes);
                a = DeviceBuffer.floats(blocks);
                a.copyFrom(hostAbsmax, blockFrom, 0, blocks);
            } catch (RuntimeException e) {
                bk.close();
                if (c != null) c.close();
                if (a != null) a.close();
                throw e;
            }
            book = bk;
            codes = c;
            absmax = a;
        }

        void copyBack(byte[] hostCodes, float[] hostAbsmax) {
            codes.copyTo(0, hostCodes, codeAt, codeBytes);
            absmax.copyTo(0, hostAbsmax, blockFrom, blocks);
        }

        @Override
        public void close() {
            book.close();
            codes.close();
            absmax.close();
        }
    }
}
