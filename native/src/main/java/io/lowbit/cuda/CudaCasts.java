package io.lowbit.cuda;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;
import io.lowbit.backend.CastKernels;

/** Casts on host arrays: copy in, one kernel, copy out (see {@link CudaKernels} for device buffers). */
final class CudaCasts implements CastKernels {

    @Override
    public void encode(ElementFormat format, CastOptions options, float[] x, byte[] codes, int n) {
        if (n == 0) return;
        try (DeviceBuffer dx = DeviceBuffer.floats(n); DeviceBuffer dc = DeviceBuffer.bytes(n)) {
            dx.copyFrom(x, 0, 0, n);
            CudaKernels.encode(format, options, dx, dc, n);
            dc.copyTo(0, codes, 0, n);
        }
    }

    @Override
    public void encode16(ElementFormat format, CastOptions options, float[] x, short[] codes, int n) {
        if (n == 0) return;
        try (DeviceBuffer dx = DeviceBuffer.floats(n); DeviceBuffer dc = DeviceBuffer.shorts(n)) {
            dx.copyFrom(x, 0, 0, n);
            CudaKernels.encode(format, options, dx, dc, n);
            dc.copyTo(0, codes, 0, n);
        }
    }

    @Override
    public void decode(ElementFormat format, byte[] codes, float[] values, int n) {
        if (n == 0) return;
        try (DeviceBuffer dc = DeviceBuffer.bytes(n); DeviceBuffer dv = DeviceBuffer.floats(n)) {
            dc.copyFrom(codes, 0, 0, n);
            CudaKernels.decode(format, dc, dv, n);
            dv.copyTo(0, values, 0, n);
        }
    }

    @Override
    public void decode16(ElementFormat format, short[] codes, float[] values, int n) {
        if (n == 0) return;
        try (DeviceBuffer dc = DeviceBuffer.shorts(n); DeviceBuffer dv = DeviceBuffer.floats(n)) {
            dc.copyFrom(codes, 0, 0, n);
            CudaKernels.decode(format, dc, dv, n);
            dv.copyTo(0, values, 0, n);
        }
    }

    @Override
    public void encodePackedE2M1(CastOptions options, float[] x, byte[] packed, int n) {
        if (n == 0) return;
        int bytes = (int) ((n + 1L) / 2);
        try (DeviceBuffer dx = DeviceBuffer.floats(n); DeviceBuffer dp = DeviceBuffer.bytes(bytes)) {
            dx.copyFrom(x, 0, 0, n);
            CudaKernels.encodePackedE2M1(options, dx, dp, n);
            dp.copyTo(0, packed, 0, bytes);
        }
    }
}
