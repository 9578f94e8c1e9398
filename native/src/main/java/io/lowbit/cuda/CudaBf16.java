package io.lowbit.cuda;

import io.lowbit.Checks;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.mx.ScaleMode;

/**
 * Block quantization of bfloat16 inputs on device buffers: the input is a SHORT buffer of BF16
 * codes, widened exactly to float32 (contract 2.5: a BF16 code is the top half of a float32),
 * then quantized by the float32 math, so the result is that of the reference on the decoded
 * values. Scaled quantization reads BF16 directly ({@link CudaScaled#quantize} takes a SHORT
 * buffer); MX widens into a temporary float32 buffer with the BF16 decode kernel first.
 */
public final class CudaBf16 {
    private CudaBf16() {}

    /** {@link CudaKernels#quantizeMx} on {@code rows x cols} BF16 codes in {@code x}. */
    public static long quantizeMx(ElementFormat elem, int blockSize, int axis, ScaleMode mode, RandomStream random,
                                  DeviceBuffer x, int rows, int cols, DeviceBuffer scales, DeviceBuffer codes,
                                  DeviceBuffer dequantized, DeviceBuffer clipMask) {
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        long n = (long) rows * cols;
        CudaKernels.requireType("x", x, DeviceBuffer.Type.SHORT);
        CudaKernels.requireLength("x", x, n);
        try (DeviceBuffer wide = DeviceBuffer.floats(Math.max(n, 1))) {
            CudaKernels.decode(ElementFormat.BF16, x, wide, n);
            return CudaKernels.quantizeMx(elem, blockSize, axis, mode, random, wide, rows, cols, scales, codes,
                    dequantized, clipMask);
        }
    }
}
