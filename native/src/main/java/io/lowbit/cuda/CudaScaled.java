package io.lowbit.cuda;

import io.lowbit.Checks;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.scalar.ScalarMx;

/**
 * Scaled block quantization (contract 5: E2M1 elements in blocks of 16, UE4M3 (NVFP4) or UE5M3
 * block scales, 1x16 or 16x16 tiles, a float32 tensor scale decT) on device buffers:
 * {@code lowbit_scaled_kernels.cuh}, bit for bit {@link ScalarMx#quantizeScaled} and
 * {@link ScalarMx#dequantizeScaled}. The input is float32 (a FLOAT buffer) or bfloat16 codes
 * (a SHORT buffer), widened exactly to float32 before the same math.
 */
public final class CudaScaled {
    private CudaScaled() {}

    /**
     * Quantizes x ({@code rows x cols}, row-major) as {@link io.lowbit.backend.MxKernels#quantizeScaled}.
     * {@code scales}: BYTE, {@code rows * ceil(cols/16)}; {@code codes}, {@code clipMask} (BYTE)
     * and {@code dequantized} (FLOAT) may be null; {@code decT}: FLOAT, receives decT in element 0.
     * {@code random} null rounds to nearest even. Returns the number of saturated elements.
     */
    public static long quantize(ElementFormat scaleFormat, boolean tile16x16, RandomStream random, DeviceBuffer x,
                                int rows, int cols, DeviceBuffer scales, DeviceBuffer codes, DeviceBuffer dequantized,
                                DeviceBuffer clipMask, DeviceBuffer decT) {
        checkScaleFormat(scaleFormat);
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        if (tile16x16 && (rows % ScalarMx.SCALED_BLOCK != 0 || cols % ScalarMx.SCALED_BLOCK != 0)) {
            throw new IllegalArgumentException("rows and cols must be multiples of 16 for 16x16 tiles, got "
                    + rows + "x" + cols);
        }
        long n = (long) rows * cols;
        Checks.notNull("x", x);
        x.ensureOpen();
        if (x.type() != DeviceBuffer.Type.FLOAT && x.type() != DeviceBuffer.Type.SHORT) {
            throw new IllegalArgumentException("x must be a FLOAT or SHORT (bfloat16) buffer, got " + x.type());
        }
        CudaKernels.requireLength("x", x, n);
        CudaKernels.requireType("scales", scales, DeviceBuffer.Type.BYTE);
        CudaKernels.requireLength("scales", scales, scaleCount(rows, cols));
        long codesAt = CudaKernels.optional("codes", codes, DeviceBuffer.Type.BYTE, n);
        long dequantizedAt = CudaKernels.optional("dequantized", dequantized, DeviceBuffer.Type.FLOAT, n);
        long clipAt = CudaKernels.optional("clipMask", clipMask, DeviceBuffer.Type.BYTE, n);
        CudaKernels.requireType("decT", decT, DeviceBuffer.Type.FLOAT);
        CudaKernels.requireLength("decT", decT, 1);
        RandomStream r = random == null ? new RandomStream(0, 0, 0) : random;
        NativeLibrary.require();
        long[] saturated = new long[1];
        int sf = NativeFormats.id(scaleFormat), tile = CudaKernels.flag(tile16x16), sr = CudaKernels.flag(random != null);
        boolean bf16 = x.type() == DeviceBuffer.Type.SHORT;
        int err = bf16
                ? LowbitCuda.lb_launch_scaled_quantize_bf16(sf, tile, sr, r.seed(), r.offset(), r.stream(), x.address(),
                        rows, cols, scales.address(), codesAt, dequantizedAt, clipAt, decT.address(), saturated, x.stream())
                : LowbitCuda.lb_launch_scaled_quantize_f32(sf, tile, sr, r.seed(), r.offset(), r.stream(), x.address(),
                        rows, cols, scales.address(), codesAt, dequantizedAt, clipAt, decT.address(), saturated, x.stream());
        CudaException.check(err, "kernel lb_scaled_quantize_kernel<" + (bf16 ? "bf16" : "float") + "> (" + scaleFormat
                + (tile16x16 ? ", 16x16" : ", 1x16") + ", " + rows + "x" + cols + ")");
        return saturated[0];
    }

    /** Contract 5 step 6: {@code out = (decode(code) * decode(scale)) * decT}, as {@link ScalarMx#dequantizeScaled}. */
    public static void dequantize(ElementFormat scaleFormat, float decT, DeviceBuffer scales, DeviceBuffer codes,
                                  int rows, int cols, DeviceBuffer out) {
        checkScaleFormat(scaleFormat);
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        long n = (long) rows * cols;
        CudaKernels.requireType("scales", scales, DeviceBuffer.Type.BYTE);
        CudaKernels.requireLength("scales", scales, scaleCount(rows, cols));
        CudaKernels.requireType("codes", codes, DeviceBuffer.Type.BYTE);
        CudaKernels.requireLength("codes", codes, n);
        CudaKernels.requireType("out", out, DeviceBuffer.Type.FLOAT);
        CudaKernels.requireLength("out", out, n);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_scaled_dequantize(NativeFormats.id(scaleFormat), decT, scales.address(),
                codes.address(), rows, cols, out.address(), scales.stream()),
                "kernel lb_scaled_dequantize_kernel (" + scaleFormat + ", " + rows + "x" + cols + ")");
    }

    /** Scale codes of a {@code rows x cols} tensor: {@code rows * ceil(cols/16)}. */
    static long scaleCount(int rows, int cols) {
        return (long) rows * ((cols + ScalarMx.SCALED_BLOCK - 1) / ScalarMx.SCALED_BLOCK);
    }

    static void checkScaleFormat(ElementFormat f) {
        Checks.notNull("scaleFormat", f);
        if (f != ElementFormat.UE4M3 && f != ElementFormat.UE5M3) {
            throw new IllegalArgumentException("scaleFormat must be UE4M3 or UE5M3, got " + f);
        }
    }
}
