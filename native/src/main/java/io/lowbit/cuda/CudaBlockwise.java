package io.lowbit.cuda;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.LionScalars;
import io.lowbit.backend.SgdScalars;

/**
 * Blockwise quantization and the fused AdamW steps (contract 7.2, 7.3) on host arrays: copy the
 * blocks {@code [blockFrom, blockTo)} in, one kernel, copy them out. Bit for bit
 * {@link io.lowbit.backend.scalar.ScalarBlockwise}. The 4-bit, SGD and Lion methods have no kernel
 * yet and throw {@link UnsupportedOperationException}. Arguments are checked by the public API
 * (as for every {@code BlockwiseKernels}).
 */
final class CudaBlockwise implements BlockwiseKernels {

    @Override
    public void quantize(Codebook codebook, int blockSize, float[] x, int n, float[] absmax, byte[] codes,
                         int blockFrom, int blockTo) {
        Range r = Range.of(blockSize, n, blockFrom, blockTo);
        zeroEmptyBlocks(r, blockFrom, blockTo, absmax);
        if (r.isEmpty()) return;
        try (DeviceBuffer dx = DeviceBuffer.floats(r.count); DeviceBuffer da = DeviceBuffer.floats(r.blocks);
             DeviceBuffer dc = DeviceBuffer.bytes(r.count); DeviceBook book = new DeviceBook(codebook)) {
            dx.copyFrom(x, r.from, 0, r.count);
            CudaException.check(LowbitCuda.lb_launch_bw_quantize(book.values.address(), book.mid.address(), book.midCount,
                    blockSize, dx.address(), r.count, da.address(), dc.address(), dx.stream()),
                    "kernel lb_bw_quantize_kernel (" + codebook.name() + ", block " + blockSize + ", n=" + r.count + ")");
            da.copyTo(0, absmax, blockFrom, r.blocks);
            dc.copyTo(0, codes, r.from, r.count);
        }
    }

    @Override
    public void dequantize(Codebook codebook, int blockSize, byte[] codes, float[] absmax, int n, float[] out,
                           int blockFrom, int blockTo) {
        Range r = Range.of(blockSize, n, blockFrom, blockTo);
        if (r.isEmpty()) return;
        try (DeviceBuffer dc = DeviceBuffer.bytes(r.count); DeviceBuffer da = DeviceBuffer.floats(r.blocks);
             DeviceBuffer dout = DeviceBuffer.floats(r.count); DeviceBook book = new DeviceBook(codebook)) {
            dc.copyFrom(codes, r.from, 0, r.count);
            da.copyFrom(absmax, blockFrom, 0, r.blocks);
            CudaException.check(LowbitCuda.lb_launch_bw_dequantize(book.values.address(), blockSize, dc.address(),
                    da.address(), r.count, dout.address(), dc.stream()),
                    "kernel lb_bw_dequantize_kernel (" + codebook.name() + ", block " + blockSize + ", n=" + r.count + ")");
            dout.copyTo(0, out, r.from, r.count);
        }
    }

    @Override
    public int adamw8(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
                      byte[] mCodes, float[] mAbsmax, byte[] vCodes, float[] vAbsmax, int n, int blockFrom, int blockTo) {
        Range r = Range.of(blockSize, n, blockFrom, blockTo);
        zeroEmptyBlocks(r, blockFrom, blockTo, mAbsmax);
        zeroEmptyBlocks(r, blockFrom, blockTo, vAbsmax);
        if (r.isEmpty()) return 0;
        try (DeviceBuffer dp = DeviceBuffer.floats(r.count); DeviceBuffer dg = DeviceBuffer.floats(r.count);
             DeviceBuffer dmc = DeviceBuffer.bytes(r.count); DeviceBuffer dma = DeviceBuffer.floats(r.blocks);
             DeviceBuffer dvc = DeviceBuffer.bytes(r.count); DeviceBuffer dva = DeviceBuffer.floats(r.blocks);
             DeviceBook mb = new DeviceBook(mBook); DeviceBook vb = new DeviceBook(vBook)) {
            dp.copyFrom(p, r.from, 0, r.count);
            dg.copyFrom(g, r.from, 0, r.count);
            dmc.copyFrom(mCodes, r.from, 0, r.count);
            dma.copyFrom(mAbsmax, blockFrom, 0, r.blocks);
            dvc.copyFrom(vCodes, r.from, 0, r.count);
            dva.copyFrom(vAbsmax, blockFrom, 0, r.blocks);
            long[] nonFinite = new long[1];
            CudaException.check(LowbitCuda.lb_launch_adamw8(scalars(s), mb.values.address(), mb.mid.address(), mb.midCount,
                    vb.values.address(), vb.mid.address(), vb.midCount, blockSize, dp.address(), dg.address(), dmc.address(),
                    dma.address(), dvc.address(), dva.address(), r.count, nonFinite, dp.stream()),
                    "kernel lb_adamw8_kernel (block " + blockSize + ", n=" + r.count + ")");
            dp.copyTo(0, p, r.from, r.count);
            dmc.copyTo(0, mCodes, r.from, r.count);
            dma.copyTo(0, mAbsmax, blockFrom, r.blocks);
            dvc.copyTo(0, vCodes, r.from, r.count);
            dva.copyTo(0, vAbsmax, blockFrom, r.blocks);
            return Math.toIntExact(nonFinite[0]);
        }
    }

    @Override
    public int adamw32(AdamWScalars s, float[] p, float[] g, float[] m, float[] v, int from, int to) {
        int count = to - from;
        if (count <= 0) return 0;
        try (DeviceBuffer dp = DeviceBuffer.floats(count); DeviceBuffer dg = DeviceBuffer.floats(count);
             DeviceBuffer dm = DeviceBuffer.floats(count); DeviceBuffer dv = DeviceBuffer.floats(count)) {
            dp.copyFrom(p, from, 0, count);
            dg.copyFrom(g, from, 0, count);
            dm.copyFrom(m, from, 0, count);
            dv.copyFrom(v, from, 0, count);
            long[] nonFinite = new long[1];
            CudaException.check(LowbitCuda.lb_launch_adamw32(scalars(s), dp.address(), dg.address(), dm.address(),
                    dv.address(), count, nonFinite, dp.stream()), "kernel lb_adamw32_kernel (n=" + count + ")");
            dp.copyTo(0, p, from, count);
            dm.copyTo(0, m, from, count);
            dv.copyTo(0, v, from, count);
            return Math.toIntExact(nonFinite[0]);
        }
    }

    @Override
    public void quantize4(Codebook codebook, int blockSize, float[] x, int n, float[] absmax, byte[] packed,
                          int blockFrom, int blockTo) {
        throw missing("quantize4");
    }

    @Override
    public void dequantize4(Codebook codebook, int blockSize, byte[] packed, float[] absmax, int n, float[] out,
                            int blockFrom, int blockTo) {
        throw missing("dequantize4");
    }

    @Override
    public int adamw4(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
                      byte[] mPacked, float[] mAbsmax, byte[] vPacked, float[] vAbsmax, int n, int blockFrom, int blockTo) {
        throw missing("adamw4");
    }

    @Override
    public int sgd8(SgdScalars s, Codebook book, int blockSize, float[] p, float[] g, byte[] bufCodes, float[] bufAbsmax,
                    int n, int blockFrom, int blockTo) {
        throw missing("sgd8");
    }

    @Override
    public int sgd32(SgdScalars s, float[] p, float[] g, float[] buf, int from, int to) {
        throw missing("sgd32");
    }

    @Override
    public int lion8(LionScalars s, Codebook book, int blockSize, float[] p, float[] g, byte[] mCodes, float[] mAbsmax,
                     int n, int blockFrom, int blockTo) {
        throw missing("lion8");
    }

    @Override
    public int lion32(LionScalars s, float[] p, float[] g, float[] m, int from, int to) {
        throw missing("lion32");
    }

    private static UnsupportedOperationException missing(String method) {
        return new UnsupportedOperationException("no CUDA kernel for blockwise." + method + " yet");
    }

    /** The 8 float32 scalars in the order of the record (lb_make_adamw_scalars). */
    static float[] scalars(AdamWScalars s) {
        return new float[] {s.b1(), s.a1(), s.b2(), s.a2(), s.stepSize(), s.bc2s(), s.decay(), s.eps()};
    }

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
    }

    private static void zeroEmptyBlocks(Range r, int blockFrom, int blockTo, float[] absmax) {
        java.util.Arrays.fill(absmax, blockFrom + r.blocks, Math.max(blockTo, blockFrom + r.blocks), 0f);
    }

    /** A codebook's values and midpoints on the device (the kernels copy them to shared memory). */
    private static final class DeviceBook implements AutoCloseable {
        final DeviceBuffer values, mid;
        final int midCount;

        DeviceBook(Codebook book) {
            float[] m = book.midpointsUnsafe();
            midCount = m.length;
            values = DeviceBuffer.of(book.valuesUnsafe());
            DeviceBuffer mids;
            try {
                mids = DeviceBuffer.of(m);
            } catch (RuntimeException e) {
                values.close();
                throw e;
            }
            mid = mids;
        }

        @Override
        public void close() {
            values.close();
            mid.close();
        }
    }
}
