package io.lowbit.mx;

import io.lowbit.Checks;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.MxKernels;

/**
 * Block quantization to an {@link MxFormat} (contract sections 4 and 5). Immutable: every
 * setter returns a new quantizer, so one can be shared between threads.
 *
 * <pre>{@code
 * QuantizedTensor q = Quantizer.mxfp4().blockSize(32).axis(-1).scaleMode(ScaleMode.FLOOR)
 *         .stochastic(RandomStream.of(42)).quantize(x, rows, cols);
 * float[] back = q.dequantize();
 * }</pre>
 *
 * <p>Every argument is checked here, before a kernel runs.
 */
public final class Quantizer {
    private final MxFormat format;
    private final int blockSize;
    private final int axis;
    private final ScaleMode scaleMode;
    private final Tile tile;
    private final RandomStream random;   // null: round to nearest even
    private final Backend backend;       // null: Backends.get()

    private Quantizer(MxFormat format, int blockSize, int axis, ScaleMode scaleMode, Tile tile,
                      RandomStream random, Backend backend) {
        this.format = format;
        this.blockSize = blockSize;
        this.axis = axis;
        this.scaleMode = scaleMode;
        this.tile = tile;
        this.random = random;
        this.backend = backend;
    }

    /** Defaults: block 32 (16 for scaled formats), axis -1, scale mode floor, tile 1x16, RNE. */
    public static Quantizer of(MxFormat format) {
        Checks.notNull("format", format);
        return new Quantizer(format, format.defaultBlockSize(), -1, ScaleMode.FLOOR, Tile.T1X16, null, null);
    }

    public static Quantizer mxfp4() { return of(MxFormat.MXFP4); }
    public static Quantizer mxfp6e2m3() { return of(MxFormat.MXFP6_E2M3); }
    public static Quantizer mxfp6e3m2() { return of(MxFormat.MXFP6_E3M2); }
    public static Quantizer mxfp8e4m3() { return of(MxFormat.MXFP8_E4M3); }
    public static Quantizer mxfp8e5m2() { return of(MxFormat.MXFP8_E5M2); }
    public static Quantizer mxint8() { return of(MxFormat.MXINT8); }
    public static Quantizer nvfp4() { return of(MxFormat.NVFP4); }
    public static Quantizer ue5m3() { return of(MxFormat.UE5M3); }

    /** Elements per block: 1..1024 for MX formats; scaled formats accept only 16. */
    public Quantizer blockSize(int n) {
        if (format.isScaled()) {
            if (n != 16) throw new IllegalArgumentException("blockSize must be 16 for " + format + ", got " + n);
        } else {
            Checks.inRange("blockSize", n, 1, 1024);
        }
        return new Quantizer(format, n, axis, scaleMode, tile, random, backend);
    }

    /** -1: blocks run along a row; 0: down a column (MX formats only). */
    public Quantizer axis(int a) {
        if (format.isScaled() && a != -1) {
            throw new IllegalArgumentException("axis must be -1 for " + format + " (blocks run along rows), got " + a);
        }
        if (a != -1 && a != 0) throw new IllegalArgumentException("axis must be -1 or 0, got " + a);
        return new Quantizer(format, blockSize, a, scaleMode, tile, random, backend);
    }

    /** MX formats only; INT8 rejects {@link ScaleMode#EVEN} (contract 4.2). */
    public Quantizer scaleMode(ScaleMode m) {
        Checks.notNull("scaleMode", m);
        if (format.isScaled()) {
            throw new IllegalArgumentException("scaleMode applies to MX formats only; " + format
                    + " has computed " + format.scaleFormat() + " scales (contract 5)");
        }
        if (m == ScaleMode.EVEN && format.element() == ElementFormat.INT8) {
            throw new IllegalArgumentException("scaleMode must be floor, ceil or rceil for mxint8 (even needs a float element), got even");
        }
        return new Quantizer(format, blockSize, axis, m, tile, random, backend);
    }

    /** Scaled formats only: 1x16 (default) or 16x16 (rows and cols multiples of 16). */
    public Quantizer tile(Tile t) {
        Checks.notNull("tile", t);
        if (!format.isScaled()) throw new IllegalArgumentException("tile applies to nvfp4 and ue5m3 only, not " + format);
        return new Quantizer(format, blockSize, axis, scaleMode, t, random, backend);
    }

    /** Stochastic rounding (contract 2.4) with words from {@code stream} (element i: word i). */
    public Quantizer stochastic(RandomStream stream) {
        Checks.notNull("stream", stream);
        return new Quantizer(format, blockSize, axis, scaleMode, tile, stream, backend);
    }

    /** Round to nearest even (the default). */
    public Quantizer rne() { return new Quantizer(format, blockSize, axis, scaleMode, tile, null, backend); }

    /** Runs on {@code b} instead of the default backend. */
    public Quantizer backend(Backend b) {
        Checks.notNull("backend", b);
        return new Quantizer(format, blockSize, axis, scaleMode, tile, random, b);
    }

    public MxFormat format() { return format; }
    public int blockSize() { return blockSize; }
    public int axis() { return axis; }
    public ScaleMode scaleMode() { return scaleMode; }
    public Tile tile() { return tile; }
    /** The stochastic-rounding stream, or null for RNE. */
    public RandomStream random() { return random; }

    /** Number of scale codes for a [rows, cols] input. */
    public long scaleCount(int rows, int cols) { return QuantizedTensor.scaleCount(rows, cols, axis, blockSize); }

    /** Quantizes {@code x}, row-major {@code [rows, cols]}. */
    public QuantizedTensor quantize(float[] x, int rows, int cols) {
        checkInput(x, rows, cols);
        int n = rows * cols;
        byte[] scales = new byte[(int) scaleCount(rows, cols)];
        float[] tensorScale = {1f};
        byte[] packed;
        if (format.element().bits() == 4) {
            // E2M1: the kernels write the packed bytes (no one-byte-per-code array and second pass)
            packed = new byte[Math.multiplyExact(rows, (int) MxPacking.rowBytes(4, false, cols))];
            MxKernels mx = (backend != null ? backend : Backends.get()).mx();
            if (format.isScaled()) {
                mx.quantizeScaledPacked(format.scaleFormat(), tile == Tile.T16X16, random, x, rows, cols, scales,
                        packed, tensorScale);
            } else {
                mx.quantizeMxfp4Packed(blockSize, axis, scaleMode, random, x, rows, cols, scales, packed);
            }
        } else {
            byte[] codes = new byte[n];
            run(x, rows, cols, scales, codes, null, null, tensorScale);
            packed = MxPacking.pack(format.element().bits(), false, codes, rows, cols);
        }
        return new QuantizedTensor(format, rows, cols, axis, blockSize, tile, scales, packed, tensorScale[0]);
    }

    /** Quantize then dequantize in one pass, keeping no codes; with the clip mask. */
    public FakeQuantized fakeQuantize(float[] x, int rows, int cols) {
        checkInput(x, rows, cols);
        float[] out = new float[rows * cols];
        byte[] mask = new byte[rows * cols];
        long saturated = fakeQuantize(x, rows, cols, out, mask);
        return new FakeQuantized(out, mask, saturated);
    }

    /**
     * Quantize then dequantize into {@code out} (an array other than {@code x}: a block's
     * scale needs all of its inputs); {@code clipMask} (nullable) gets 1 where the element
     * saturated. Returns the number of saturated elements.
     */
    public long fakeQuantize(float[] x, int rows, int cols, float[] out, byte[] clipMask) {
        checkInput(x, rows, cols);
        int n = rows * cols;
        Checks.floats("out", out, n);
        if (out == x) throw new IllegalArgumentException("out must be a different array from x");
        if (clipMask != null) Checks.bytes("clipMask", clipMask, n);
        byte[] scales = new byte[(int) scaleCount(rows, cols)];
        return run(x, rows, cols, scales, null, out, clipMask, new float[1]);
    }

    private long run(float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] out, byte[] clipMask,
                     float[] tensorScale) {
        Backend b = backend != null ? backend : Backends.get();
        if (format.isScaled()) {
            return b.mx().quantizeScaled(format.scaleFormat(), tile == Tile.T16X16, random, x, rows, cols, scales,
                    codes, out, clipMask, tensorScale);
        }
        return b.mx().quantizeMx(format.element(), blockSize, axis, scaleMode, random, x, rows, cols, scales, codes,
                out, clipMask);
    }

    private void checkInput(float[] x, int rows, int cols) {
        Checks.notNull("x", x);
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rows * cols must be at most " + Integer.MAX_VALUE + ", got " + n);
        }
        Checks.exactLength("x", x.length, n);
        if (format.isScaled() && tile == Tile.T16X16 && (rows % 16 != 0 || cols % 16 != 0)) {
            throw new IllegalArgumentException("rows and cols must be multiples of 16 for tile 16x16, got "
                    + rows + "x" + cols);
        }
    }
}
