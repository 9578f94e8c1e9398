package io.lowbit.cuda;

import io.lowbit.backend.QatKernels;
import io.lowbit.backend.scalar.ScalarQat;

/**
 * LSQ / LSQ+ fake quantization (contract 8) on host arrays: copy in, one kernel, copy out. Bit for
 * bit {@link ScalarQat}: the backward kernel sums each segment with the canonical pairwise tree
 * (see lowbit_qat.cuh). Arguments are checked by the public API.
 */
final class CudaQat implements QatKernels {

    @Override
    public void lsqForward(float[] x, int rows, int cols, int group, float[] scales, float[] offsets, int qn, int qp,
                           float[] q) {
        int n = Math.multiplyExact(rows, cols);
        if (n == 0) return;
        int segments = ScalarQat.segmentCount(rows, cols, group);
        try (DeviceBuffer dx = DeviceBuffer.of(slice(x, n)); DeviceBuffer ds = DeviceBuffer.of(slice(scales, segments));
             DeviceBuffer doff = offsets == null ? null : DeviceBuffer.of(slice(offsets, segments));
             DeviceBuffer dq = DeviceBuffer.floats(n)) {
            CudaKernels.lsqForward(dx, rows, cols, group, ds, doff, qn, qp, dq);
            dq.copyTo(0, q, 0, n);
        }
    }

    @Override
    public void lsqBackward(float[] x, float[] g, int rows, int cols, int group, float[] scales, float[] offsets, int qn,
                            int qp, float[] dx, float[] ds, float[] dOffsets) {
        int n = Math.multiplyExact(rows, cols);
        if (n == 0) return;
        int segments = ScalarQat.segmentCount(rows, cols, group);
        try (DeviceBuffer dX = DeviceBuffer.of(slice(x, n)); DeviceBuffer dG = DeviceBuffer.of(slice(g, n));
             DeviceBuffer dS = DeviceBuffer.of(slice(scales, segments));
             DeviceBuffer dOff = offsets == null ? null : DeviceBuffer.of(slice(offsets, segments));
             DeviceBuffer dDx = DeviceBuffer.floats(n); DeviceBuffer dDs = DeviceBuffer.floats(segments);
             DeviceBuffer dDoff = offsets == null ? null : DeviceBuffer.floats(segments)) {
            CudaKernels.lsqBackward(dX, dG, rows, cols, group, dS, dOff, qn, qp, dDx, dDs, dDoff);
            dDx.copyTo(0, dx, 0, n);
            dDs.copyTo(0, ds, 0, segments);
            if (dDoff != null) dDoff.copyTo(0, dOffsets, 0, segments);
        }
    }

    /** The first {@code length} elements (the arrays may be longer than the tensor). */
    private static float[] slice(float[] a, int length) {
        return a.length == length ? a : java.util.Arrays.copyOf(a, length);
    }
}
