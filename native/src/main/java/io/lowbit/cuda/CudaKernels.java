package io.lowbit.cuda;

import io.lowbit.CastOptions;
import io.lowbit.Checks;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.Rounding;
import io.lowbit.mx.ScaleMode;

/**
 * The CUDA kernels on device buffers: nothing is copied to the host. Each call checks its
 * arguments (types, lengths, open buffers) before any native call, launches on the stream of
 * its first buffer, waits for that stream and turns any launch or execution error into a
 * {@link CudaException} naming the kernel.
 *
 * <p>Results are bit for bit those of the scalar reference (contract sections 2-3).
 */
public final class CudaKernels {
    private CudaKernels() {}

    /**
     * {@code codes[i] = encode(x[i])} for i &lt; n (contract 2): a BYTE buffer for formats
     * of at most 8 bits, a SHORT buffer for BF16/FP16. Stochastic rounding uses the random
     * word i of {@code options.random()}.
     */
    public static void encode(ElementFormat format, CastOptions options, DeviceBuffer x, DeviceBuffer codes, long n) {
        Checks.notNull("format", format);
        Checks.notNull("options", options);
        requireType("x", x, DeviceBuffer.Type.FLOAT);
        requireType("codes", codes, codeType(format));
        requireLength("x", x, n);
        requireLength("codes", codes, n);
        boolean sr = options.rounding() == Rounding.STOCHASTIC;
        RandomStream r = sr ? options.random() : new RandomStream(0, 0, 0);
        int id = NativeFormats.id(format);
        NativeLibrary.require();
        int err = format.isWide()
                ? LowbitCuda.lb_launch_encode_u16(id, x.address(), codes.address(), n, flag(options.saturate()), flag(sr),
                        r.seed(), r.offset(), r.stream(), x.stream())
                : LowbitCuda.lb_launch_encode_u8(id, x.address(), codes.address(), n, flag(options.saturate()), flag(sr),
                        r.seed(), r.offset(), r.stream(), x.stream());
        CudaException.check(err, "kernel " + (format.isWide() ? "lb_encode_kernel<uint16_t>" : "lb_encode_kernel<uint8_t>")
                + " (" + format + ", n=" + n + ")");
    }

    /** {@code values[i] = decode(codes[i])} for i &lt; n (contract 2.5). */
    public static void decode(ElementFormat format, DeviceBuffer codes, DeviceBuffer values, long n) {
        Checks.notNull("format", format);
        requireType("codes", codes, codeType(format));
        requireType("values", values, DeviceBuffer.Type.FLOAT);
        requireLength("codes", codes, n);
        requireLength("values", values, n);
        int id = NativeFormats.id(format);
        NativeLibrary.require();
        int err = format.isWide()
                ? LowbitCuda.lb_launch_decode_u16(id, codes.address(), values.address(), n, codes.stream())
                : LowbitCuda.lb_launch_decode_u8(id, codes.address(), values.address(), n, codes.stream());
        CudaException.check(err, "kernel " + (format.isWide() ? "lb_decode_kernel<uint16_t>" : "lb_decode_kernel<uint8_t>")
                + " (" + format + ", n=" + n + ")");
    }

    /** E2M1 codes of x[0..n) packed two per byte (contract 4.4) into ceil(n/2) bytes of {@code packed}. */
    public static void encodePackedE2M1(CastOptions options, DeviceBuffer x, DeviceBuffer packed, long n) {
        Checks.notNull("options", options);
        requireType("x", x, DeviceBuffer.Type.FLOAT);
        requireType("packed", packed, DeviceBuffer.Type.BYTE);
        requireLength("x", x, n);
        requireLength("packed", packed, (n + 1) / 2);
        boolean sr = options.rounding() == Rounding.STOCHASTIC;
        RandomStream r = sr ? options.random() : new RandomStream(0, 0, 0);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_encode_packed_e2m1(x.address(), packed.address(), n,
                flag(options.saturate()), flag(sr), r.seed(), r.offset(), r.stream(), x.stream()),
                "kernel lb_encode_packed_e2m1_kernel (n=" + n + ")");
    }

    /** {@code words[i]} = the random word of element i under {@code stream} (contract 3), i &lt; count. */
    public static void randomWords(RandomStream stream, DeviceBuffer words, long count) {
        Checks.notNull("stream", stream);
        requireType("words", words, DeviceBuffer.Type.INT);
        requireLength("words", words, count);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_random_words(stream.seed(), stream.offset(), stream.stream(),
                words.address(), count, words.stream()), "kernel lb_random_words_kernel (count=" + count + ")");
    }

    /** Raw Philox4x32-10 blocks j &lt; m: key[2j..2j+1], counter[4j..4j+3] give out[4j..4j+3]. */
    public static void philox(DeviceBuffer key, DeviceBuffer counter, DeviceBuffer out, long m) {
        requireType("key", key, DeviceBuffer.Type.INT);
        requireType("counter", counter, DeviceBuffer.Type.INT);
        requireType("out", out, DeviceBuffer.Type.INT);
        if (m < 0 || m > Long.MAX_VALUE / 4) throw new IllegalArgumentException("m must be >= 0, got " + m);
        requireLength("key", key, 2 * m);
        requireLength("counter", counter, 4 * m);
        requireLength("out", out, 4 * m);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_philox(key.address(), counter.address(), out.address(), m, key.stream()),
                "kernel lb_philox_kernel (m=" + m + ")");
    }

    /**
     * MX block quantization (contract 4), fused per block: amax, E8M0 scale, element codes,
     * dequantized values and clip mask, as {@link io.lowbit.backend.MxKernels#quantizeMx}.
     * {@code codes}, {@code dequantized} and {@code clipMask} may be null. Returns the number
     * of saturated elements.
     */
    public static long quantizeMx(ElementFormat elem, int blockSize, int axis, ScaleMode mode, RandomStream random,
                                  DeviceBuffer x, int rows, int cols, DeviceBuffer scales, DeviceBuffer codes,
                                  DeviceBuffer dequantized, DeviceBuffer clipMask) {
        Checks.notNull("elem", elem);
        Checks.notNull("mode", mode);
        if (!elem.isMxElement()) throw new IllegalArgumentException("elem must be an MX element format, got " + elem);
        if (mode == ScaleMode.EVEN && elem == ElementFormat.INT8) {
            throw new IllegalArgumentException("mode must not be EVEN for INT8 (contract 4.2)");
        }
        Checks.inRange("blockSize", blockSize, 1, Integer.MAX_VALUE);
        if (axis != -1 && axis != 0) throw new IllegalArgumentException("axis must be -1 or 0, got " + axis);
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        long n = (long) rows * cols;
        long blocks = axis == 0 ? ((rows + (long) blockSize - 1) / blockSize) * cols
                : rows * ((cols + (long) blockSize - 1) / blockSize);
        requireType("x", x, DeviceBuffer.Type.FLOAT);
        requireLength("x", x, n);
        requireType("scales", scales, DeviceBuffer.Type.BYTE);
        requireLength("scales", scales, blocks);
        long codesAt = optional("codes", codes, DeviceBuffer.Type.BYTE, n);
        long dequantizedAt = optional("dequantized", dequantized, DeviceBuffer.Type.FLOAT, n);
        long clipAt = optional("clipMask", clipMask, DeviceBuffer.Type.BYTE, n);
        RandomStream r = random == null ? new RandomStream(0, 0, 0) : random;
        NativeLibrary.require();
        long[] saturated = new long[1];
        CudaException.check(LowbitCuda.lb_launch_mx_quantize(NativeFormats.id(elem), blockSize, axis, NativeFormats.scaleModeId(mode),
                flag(random != null), r.seed(), r.offset(), r.stream(), x.address(), rows, cols, scales.address(),
                codesAt, dequantizedAt, clipAt, saturated, x.stream()),
                "kernel lb_mx_quantize_kernel (" + elem + ", block " + blockSize + ", " + rows + "x" + cols + ")");
        return saturated[0];
    }

    /** Contract 4.3: {@code out = decode(code) * decode(scale)}, as {@link io.lowbit.backend.MxKernels#dequantizeMx}. */
    public static void dequantizeMx(ElementFormat elem, int blockSize, int axis, DeviceBuffer scales, DeviceBuffer codes,
                                    int rows, int cols, DeviceBuffer out) {
        Checks.notNull("elem", elem);
        if (!elem.isMxElement()) throw new IllegalArgumentException("elem must be an MX element format, got " + elem);
        Checks.inRange("blockSize", blockSize, 1, Integer.MAX_VALUE);
        if (axis != -1 && axis != 0) throw new IllegalArgumentException("axis must be -1 or 0, got " + axis);
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        long n = (long) rows * cols;
        long blocks = axis == 0 ? ((rows + (long) blockSize - 1) / blockSize) * cols
                : rows * ((cols + (long) blockSize - 1) / blockSize);
        requireType("scales", scales, DeviceBuffer.Type.BYTE);
        requireLength("scales", scales, blocks);
        requireType("codes", codes, DeviceBuffer.Type.BYTE);
        requireLength("codes", codes, n);
        requireType("out", out, DeviceBuffer.Type.FLOAT);
        requireLength("out", out, n);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_mx_dequantize(NativeFormats.id(elem), blockSize, axis, scales.address(),
                codes.address(), rows, cols, out.address(), scales.stream()),
                "kernel lb_mx_dequantize_kernel (" + elem + ", " + rows + "x" + cols + ")");
    }

    /** The address of an optional output (0 when null), after checking it. */
    static long optional(String name, DeviceBuffer b, DeviceBuffer.Type type, long needed) {
        if (b == null) return 0;
        requireType(name, b, type);
        requireLength(name, b, needed);
        return b.address();
    }

    static DeviceBuffer.Type codeType(ElementFormat f) {
        return f.isWide() ? DeviceBuffer.Type.SHORT : DeviceBuffer.Type.BYTE;
    }

    static void requireType(String name, DeviceBuffer b, DeviceBuffer.Type type) {
        Checks.notNull(name, b);
        b.ensureOpen();
        if (b.type() != type) {
            throw new IllegalArgumentException(name + " must be a " + type + " buffer, got " + b.type());
        }
    }

    static void requireLength(String name, DeviceBuffer b, long needed) {
        if (needed < 0) throw new IllegalArgumentException("n must be >= 0, got " + needed);
        if (b.length() < needed) {
            throw new IllegalArgumentException(name + " must hold at least " + needed + " elements, got " + b.length());
        }
    }

    static int flag(boolean b) { return b ? 1 : 0; }
}
