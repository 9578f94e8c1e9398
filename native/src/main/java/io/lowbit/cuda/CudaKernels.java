package io.lowbit.cuda;

import io.lowbit.CastOptions;
import io.lowbit.Checks;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.Rounding;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.scalar.ScalarQat;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.ScaleMode;

/**
 * The CUDA kernels on device buffers: nothing is copied to the host. Each call checks its
 * arguments (types, lengths, open buffers) before any native call, launches on the stream of
 * its first buffer, waits for that stream and turns any launch or execution error into a
 * {@link CudaException} naming the kernel.
 *
 * <p>Results are bit for bit those of the scalar reference (contract sections 2-4, 7, 8).
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
        long blocks = QuantizedTensor.scaleCount(rows, cols, axis, blockSize);
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
        long blocks = QuantizedTensor.scaleCount(rows, cols, axis, blockSize);
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

    // ---- blockwise codebook quantization and the 8-bit AdamW step (contract 7.2, 7.3) ----------------

    /**
     * 7.2 on device buffers, as {@link io.lowbit.backend.BlockwiseKernels#quantize} over all blocks:
     * {@code absmax[b]} (FLOAT, ceil(n/blockSize)) and one code per element in {@code codes} (BYTE, n).
     * Any block size &gt;= 1 (the kernel has no limit; {@link io.lowbit.Blockwise} restricts the public API
     * to powers of two in 64..4096).
     */
    public static void blockwiseQuantize(DeviceCodebook book, int blockSize, DeviceBuffer x, long n, DeviceBuffer absmax,
                                         DeviceBuffer codes) {
        bwQuantize(book, false, blockSize, x, n, absmax, codes);
    }

    /** As {@link #blockwiseQuantize} with 4-bit codes packed two per byte (ceil(n/2) bytes; even block size, &lt;= 16 values). */
    public static void blockwiseQuantize4(DeviceCodebook book, int blockSize, DeviceBuffer x, long n, DeviceBuffer absmax,
                                          DeviceBuffer packed) {
        bwQuantize(book, true, blockSize, x, n, absmax, packed);
    }

    /** 7.2: {@code out[i] = c[code[i]] * absmax[block]}, as {@link io.lowbit.backend.BlockwiseKernels#dequantize}. */
    public static void blockwiseDequantize(DeviceCodebook book, int blockSize, DeviceBuffer codes, DeviceBuffer absmax, long n,
                                           DeviceBuffer out) {
        bwDequantize(book, false, blockSize, codes, absmax, n, out);
    }

    /** As {@link #blockwiseDequantize} from 4-bit codes packed two per byte. */
    public static void blockwiseDequantize4(DeviceCodebook book, int blockSize, DeviceBuffer packed, DeviceBuffer absmax,
                                            long n, DeviceBuffer out) {
        bwDequantize(book, true, blockSize, packed, absmax, n, out);
    }

    /**
     * One fused AdamW step with 8-bit states (7.3), as {@link io.lowbit.backend.BlockwiseKernels#adamw8} over all
     * blocks: p (FLOAT, n) updated in place from g (FLOAT, n); m and v codes (BYTE, n) and absmax (FLOAT,
     * ceil(n/blockSize)) read and rewritten. Returns the number of non-finite gradients.
     */
    public static long adamw8(AdamWScalars s, DeviceCodebook mBook, DeviceCodebook vBook, int blockSize,
                              DeviceBuffer p, DeviceBuffer g, DeviceBuffer mCodes, DeviceBuffer mAbsmax, DeviceBuffer vCodes,
                              DeviceBuffer vAbsmax, long n) {
        Checks.notNull("s", s);
        Checks.notNull("vBook", vBook);   // a null second book would mean a one-state rule below
        return optimizerBlocks(CudaBlockwise.ADAMW, CudaBlockwise.scalars(s), false, mBook, vBook, blockSize, p, g, mCodes,
                mAbsmax, vCodes, vAbsmax, n);
    }

    private static void bwQuantize(DeviceCodebook book, boolean packed, int blockSize, DeviceBuffer x, long n,
                                   DeviceBuffer absmax, DeviceBuffer codes) {
        checkBook("book", book, packed);
        checkBlockSize(blockSize, packed);
        requireType("x", x, DeviceBuffer.Type.FLOAT);
        requireLength("x", x, n);
        requireType("absmax", absmax, DeviceBuffer.Type.FLOAT);
        requireLength("absmax", absmax, blocks(n, blockSize));
        requireType(packed ? "packed" : "codes", codes, DeviceBuffer.Type.BYTE);
        requireLength(packed ? "packed" : "codes", codes, codeBytes(n, packed));
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_bw_quantize(book.values.address(), book.midpoints.address(),
                book.midpointCount(), flag(packed), blockSize, x.address(), n, absmax.address(), codes.address(), x.stream()),
                "kernel lb_bw_quantize_kernel (" + book.codebook().name() + (packed ? " 4-bit" : "") + ", block " + blockSize
                        + ", n=" + n + ")");
    }

    private static void bwDequantize(DeviceCodebook book, boolean packed, int blockSize, DeviceBuffer codes,
                                     DeviceBuffer absmax, long n, DeviceBuffer out) {
        checkBook("book", book, packed);
        checkBlockSize(blockSize, packed);
        requireType(packed ? "packed" : "codes", codes, DeviceBuffer.Type.BYTE);
        requireLength(packed ? "packed" : "codes", codes, codeBytes(n, packed));
        requireType("absmax", absmax, DeviceBuffer.Type.FLOAT);
        requireLength("absmax", absmax, blocks(n, blockSize));
        requireType("out", out, DeviceBuffer.Type.FLOAT);
        requireLength("out", out, n);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_bw_dequantize(book.values.address(), flag(packed), blockSize,
                codes.address(), absmax.address(), n, out.address(), codes.stream()),
                "kernel lb_bw_dequantize_kernel (" + book.codebook().name() + (packed ? " 4-bit" : "") + ", block "
                        + blockSize + ", n=" + n + ")");
    }

    /**
     * A blockwise optimizer step on device buffers: rule {@code kind} (CudaBlockwise.ADAMW/SGD/LION) with its
     * scalars; one state (book1 == null: codes1, absmax1 ignored) or two. Returns the non-finite gradient count.
     */
    static long optimizerBlocks(int kind, float[] scalars, boolean packed, DeviceCodebook book0, DeviceCodebook book1,
                                int blockSize, DeviceBuffer p, DeviceBuffer g, DeviceBuffer codes0, DeviceBuffer absmax0,
                                DeviceBuffer codes1, DeviceBuffer absmax1, long n) {
        boolean two = book1 != null;
        checkBook(two ? "mBook" : "book", book0, packed);
        if (two) checkBook("vBook", book1, packed);
        checkBlockSize(blockSize, packed);
        requireType("p", p, DeviceBuffer.Type.FLOAT);
        requireLength("p", p, n);
        requireType("g", g, DeviceBuffer.Type.FLOAT);
        requireLength("g", g, n);
        long blocks = blocks(n, blockSize), codeBytes = codeBytes(n, packed);
        String c0 = two ? "mCodes" : "codes", a0 = two ? "mAbsmax" : "absmax";
        requireType(c0, codes0, DeviceBuffer.Type.BYTE);
        requireLength(c0, codes0, codeBytes);
        requireType(a0, absmax0, DeviceBuffer.Type.FLOAT);
        requireLength(a0, absmax0, blocks);
        if (two) {
            requireType("vCodes", codes1, DeviceBuffer.Type.BYTE);
            requireLength("vCodes", codes1, codeBytes);
            requireType("vAbsmax", absmax1, DeviceBuffer.Type.FLOAT);
            requireLength("vAbsmax", absmax1, blocks);
        }
        NativeLibrary.require();
        long[] nonFinite = new long[1];
        CudaException.check(LowbitCuda.lb_launch_opt_blocks(kind, scalars, flag(packed), book0.values.address(),
                book0.midpoints.address(), book0.midpointCount(), two ? book1.values.address() : 0,
                two ? book1.midpoints.address() : 0, two ? book1.midpointCount() : 0, blockSize, p.address(), g.address(),
                codes0.address(), absmax0.address(), two ? codes1.address() : 0, two ? absmax1.address() : 0, n, nonFinite,
                p.stream()),
                "kernel lb_opt_blocks_kernel (" + CudaBlockwise.RULES[kind] + (packed ? " 4-bit" : " 8-bit") + ", block "
                        + blockSize + ", n=" + n + ")");
        return nonFinite[0];
    }

    private static void checkBook(String name, DeviceCodebook book, boolean packed) {
        Checks.notNull(name, book);
        book.ensureOpen(name);
        if (packed && book.size() > 16) {
            throw new IllegalArgumentException(name + " must hold at most 16 values for 4-bit codes, got " + book.size());
        }
    }

    private static void checkBlockSize(int blockSize, boolean packed) {
        Checks.inRange("blockSize", blockSize, 1, Integer.MAX_VALUE);
        // 4-bit: a block must not share a byte with the next one (BlockwiseKernels)
        if (packed && blockSize % 2 != 0) throw new IllegalArgumentException("blockSize must be even for 4-bit codes, got " + blockSize);
    }

    private static long blocks(long n, int blockSize) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        return (n + blockSize - 1) / blockSize;
    }

    private static long codeBytes(long n, boolean packed) { return packed ? (n + 1) / 2 : n; }

    // ---- LSQ / LSQ+ (contract 8) --------------------------------------------------------------------------

    /**
     * LSQ forward on device buffers, as {@link io.lowbit.backend.QatKernels#lsqForward}: x and q FLOAT
     * {@code rows * cols}; scales (and offsets for LSQ+, else null) FLOAT, one per segment
     * ({@code rows * ceil(cols / group)}). The grid is {@code [-qn, qp]}, {@code qn >= 0}, {@code qp >= 1}.
     * The values of scales are not checked (the public API checks them: finite, &gt; 0).
     */
    public static void lsqForward(DeviceBuffer x, int rows, int cols, int group, DeviceBuffer scales, DeviceBuffer offsets,
                                  int qn, int qp, DeviceBuffer q) {
        long n = checkLsqShape(rows, cols, group, qn, qp);
        long segments = lsqSegments(rows, cols, group);
        requireType("x", x, DeviceBuffer.Type.FLOAT);
        requireLength("x", x, n);
        requireType("scales", scales, DeviceBuffer.Type.FLOAT);
        requireLength("scales", scales, segments);
        long offsetsAt = optional("offsets", offsets, DeviceBuffer.Type.FLOAT, segments);
        requireType("q", q, DeviceBuffer.Type.FLOAT);
        requireLength("q", q, n);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_lsq_forward(x.address(), rows, cols, group, scales.address(), offsetsAt,
                qn, qp, q.address(), x.stream()), "kernel lb_lsq_forward_kernel (" + rows + "x" + cols + ", group " + group + ")");
    }

    /**
     * LSQ backward on device buffers, as {@link io.lowbit.backend.QatKernels#lsqBackward}: g and dx FLOAT
     * {@code rows * cols}; ds FLOAT one per segment; offsets and dOffsets both null (LSQ) or both given (LSQ+).
     */
    public static void lsqBackward(DeviceBuffer x, DeviceBuffer g, int rows, int cols, int group, DeviceBuffer scales,
                                   DeviceBuffer offsets, int qn, int qp, DeviceBuffer dx, DeviceBuffer ds,
                                   DeviceBuffer dOffsets) {
        long n = checkLsqShape(rows, cols, group, qn, qp);
        long segments = lsqSegments(rows, cols, group);
        requireType("x", x, DeviceBuffer.Type.FLOAT);
        requireLength("x", x, n);
        requireType("g", g, DeviceBuffer.Type.FLOAT);
        requireLength("g", g, n);
        requireType("scales", scales, DeviceBuffer.Type.FLOAT);
        requireLength("scales", scales, segments);
        if ((offsets == null) != (dOffsets == null)) {
            throw new IllegalArgumentException("offsets and dOffsets must both be null (LSQ) or both given (LSQ+)");
        }
        long offsetsAt = optional("offsets", offsets, DeviceBuffer.Type.FLOAT, segments);
        requireType("dx", dx, DeviceBuffer.Type.FLOAT);
        requireLength("dx", dx, n);
        requireType("ds", ds, DeviceBuffer.Type.FLOAT);
        requireLength("ds", ds, segments);
        long dOffsetsAt = optional("dOffsets", dOffsets, DeviceBuffer.Type.FLOAT, segments);
        // gradScale (contract 8) of a full segment and of a row's last one, by the reference's own function
        int perRow = cols == 0 ? 0 : (int) ((cols + (long) group - 1) / group);
        float gradScaleFull = ScalarQat.gradScale(group, qp);
        float gradScaleLast = ScalarQat.gradScale(cols - (perRow - 1) * group, qp);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_lsq_backward(x.address(), g.address(), rows, cols, group, scales.address(),
                offsetsAt, qn, qp, gradScaleFull, gradScaleLast, dx.address(), ds.address(), dOffsetsAt, x.stream()),
                "kernel lb_lsq_backward_kernel (" + rows + "x" + cols + ", group " + group + ")");
    }

    /** Checks the LSQ shape and grid; returns rows * cols. */
    private static long checkLsqShape(int rows, int cols, int group, int qn, int qp) {
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        Checks.inRange("group", group, 1, Integer.MAX_VALUE);
        Checks.nonNegative("qn", qn);
        Checks.inRange("qp", qp, 1, Integer.MAX_VALUE);
        long n = (long) rows * cols;
        // the kernels index segments and the host twins elements with int rows/cols arithmetic
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("rows * cols must be at most " + Integer.MAX_VALUE + ", got " + n);
        return n;
    }

    private static long lsqSegments(int rows, int cols, int group) {
        return cols == 0 ? 0 : (long) rows * ((cols + (long) group - 1) / group);
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
