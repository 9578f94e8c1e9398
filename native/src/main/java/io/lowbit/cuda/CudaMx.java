package io.lowbit.cuda;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.MxKernels;
import io.lowbit.mx.ScaleMode;

/**
 * MX and scaled (NVFP4/UE5M3) quantization on host arrays: copy in, the kernels
 * ({@link CudaKernels#quantizeMx}, {@link CudaScaled}), copy out.
 */
final class CudaMx implements MxKernels {

    @Override
    public long quantizeMx(ElementFormat elem, int blockSize, int axis, ScaleMode mode, RandomStream random,
                           float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                           byte[] clipMask) {
        int n = Math.multiplyExact(rows, cols);
        if (n == 0) return 0;
        int blocks = axis == 0 ? ceilDiv(rows, blockSize) * cols : rows * ceilDiv(cols, blockSize);
        try (DeviceBuffer dx = DeviceBuffer.floats(n); DeviceBuffer ds = DeviceBuffer.bytes(blocks);
             DeviceBuffer dc = codes == null ? null : DeviceBuffer.bytes(n);
             DeviceBuffer dd = dequantized == null ? null : DeviceBuffer.floats(n);
             DeviceBuffer dm = clipMask == null ? null : DeviceBuffer.bytes(n)) {
            dx.copyFrom(x, 0, 0, n);
            long saturated = CudaKernels.quantizeMx(elem, blockSize, axis, mode, random, dx, rows, cols, ds, dc, dd, dm);
            ds.copyTo(0, scales, 0, blocks);
            if (dc != null) dc.copyTo(0, codes, 0, n);
            if (dd != null) dd.copyTo(0, dequantized, 0, n);
            if (dm != null) dm.copyTo(0, clipMask, 0, n);
            return saturated;
        }
    }

    @Override
    public void dequantizeMx(ElementFormat elem, int blockSize, int axis, byte[] scales, byte[] codes,
                             int rows, int cols, float[] out) {
        int n = Math.multiplyExact(rows, cols);
        if (n == 0) return;
        int blocks = axis == 0 ? ceilDiv(rows, blockSize) * cols : rows * ceilDiv(cols, blockSize);
        try (DeviceBuffer ds = DeviceBuffer.bytes(blocks); DeviceBuffer dc = DeviceBuffer.bytes(n);
             DeviceBuffer dout = DeviceBuffer.floats(n)) {
            ds.copyFrom(scales, 0, 0, blocks);
            dc.copyFrom(codes, 0, 0, n);
            CudaKernels.dequantizeMx(elem, blockSize, axis, ds, dc, rows, cols, dout);
            dout.copyTo(0, out, 0, n);
        }
    }

    @Override
    public long quantizeScaled(ElementFormat scaleFormat, boolean tile16x16, RandomStream random, float[] x, int rows,
                               int cols, byte[] scales, byte[] codes, float[] dequantized, byte[] clipMask,
                               float[] tensorScale) {
        int n = Math.multiplyExact(rows, cols);
        int blocks = (int) CudaScaled.scaleCount(rows, cols);
        // allocations of at least one element: an empty tensor still gets its decT
        try (DeviceBuffer dx = DeviceBuffer.floats(Math.max(n, 1)); DeviceBuffer ds = DeviceBuffer.bytes(Math.max(blocks, 1));
             DeviceBuffer dc = codes == null ? null : DeviceBuffer.bytes(Math.max(n, 1));
             DeviceBuffer dd = dequantized == null ? null : DeviceBuffer.floats(Math.max(n, 1));
             DeviceBuffer dm = clipMask == null ? null : DeviceBuffer.bytes(Math.max(n, 1));
             DeviceBuffer dt = DeviceBuffer.floats(1)) {
            dx.copyFrom(x, 0, 0, n);
            long saturated = CudaScaled.quantize(scaleFormat, tile16x16, random, dx, rows, cols, ds, dc, dd, dm, dt);
            ds.copyTo(0, scales, 0, blocks);
            if (dc != null) dc.copyTo(0, codes, 0, n);
            if (dd != null) dd.copyTo(0, dequantized, 0, n);
            if (dm != null) dm.copyTo(0, clipMask, 0, n);
            dt.copyTo(0, tensorScale, 0, 1);
            return saturated;
        }
    }

    @Override
    public void dequantizeScaled(ElementFormat scaleFormat, float decT, byte[] scales, byte[] codes, int rows, int cols,
                                 float[] out) {
        int n = Math.multiplyExact(rows, cols);
        if (n == 0) return;
        int blocks = (int) CudaScaled.scaleCount(rows, cols);
        try (DeviceBuffer ds = DeviceBuffer.bytes(blocks); DeviceBuffer dc = DeviceBuffer.bytes(n);
             DeviceBuffer dout = DeviceBuffer.floats(n)) {
            ds.copyFrom(scales, 0, 0, blocks);
            dc.copyFrom(codes, 0, 0, n);
            CudaScaled.dequantize(scaleFormat, decT, ds, dc, rows, cols, dout);
            dout.copyTo(0, out, 0, n);
        }
    }

    private static int ceilDiv(int a, int b) { return a / b + (a % b == 0 ? 0 : 1); }
}
