package io.lowbit.hadamard;

import io.lowbit.Checks;
import io.lowbit.RandomStream;
import io.lowbit.mx.FakeQuantized;
import io.lowbit.mx.MxFormat;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.Tile;

import java.util.Arrays;

/**
 * A randomized Hadamard rotation followed by MX or NVFP4 block quantization, in one call:
 * the result has the same bits as {@code quantizer.quantize(rotation.apply(x, rows, cols), rows, cols)}.
 *
 * <p>MX formats along rows (axis -1) run a chunk of rows at a time (rotate, then quantize while
 * the chunk is in cache), so no rotated copy of the whole input is made. That gives the same
 * bits because each MX block lies inside one row, and stochastic rounding draws element i's
 * word from the input's flat index i: a chunk starting at element e uses the stream advanced
 * by e/4 counters (chunks start at multiples of 4 elements). Scaled formats (NVFP4, UE5M3)
 * need the whole tensor's amax for their tensor scale, and axis 0 blocks cross rows: those
 * rotate the whole input first, then quantize.
 */
public final class RotateThenQuantize {
    /** Floats per chunk: 256 KiB, within a typical L2. */
    static final int CHUNK_FLOATS = 1 << 16;

    private final Hadamard rotation;
    private final Quantizer quantizer;

    private RotateThenQuantize(Hadamard rotation, Quantizer quantizer) {
        this.rotation = rotation;
        this.quantizer = quantizer;
    }

    public static RotateThenQuantize of(Hadamard rotation, Quantizer quantizer) {
        return new RotateThenQuantize(Checks.notNull("rotation", rotation), Checks.notNull("quantizer", quantizer));
    }

    public QuantizedTensor quantize(float[] x, int rows, int cols) {
        check(x, rows, cols);
        int chunk = chunkRows(rows, cols);
        if (chunk >= rows) return quantizer.quantize(rotation.apply(x, rows, cols), rows, cols);
        MxFormat f = quantizer.format();
        int scalesPerRow = (int) quantizer.scaleCount(1, cols);
        byte[] scales = new byte[(int) quantizer.scaleCount(rows, cols)];
        byte[] packed = null;
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int r = Math.min(chunk, rows - r0);
            QuantizedTensor q = quantizerAt(r0, cols).quantize(rotatedRows(x, r0, r, cols), r, cols);
            int rowBytes = q.packedCodes().length / r;
            if (packed == null) packed = new byte[rowBytes * rows];
            System.arraycopy(q.scales(), 0, scales, r0 * scalesPerRow, q.scales().length);
            System.arraycopy(q.packedCodes(), 0, packed, r0 * rowBytes, q.packedCodes().length);
        }
        return new QuantizedTensor(f, rows, cols, quantizer.axis(), quantizer.blockSize(), quantizer.tile(),
                scales, packed, 1f);
    }

    public FakeQuantized fakeQuantize(float[] x, int rows, int cols) {
        check(x, rows, cols);
        int chunk = chunkRows(rows, cols);
        if (chunk >= rows) return quantizer.fakeQuantize(rotation.apply(x, rows, cols), rows, cols);
        float[] out = new float[x.length];
        byte[] mask = new byte[x.length];
        long saturated = 0;
        for (int r0 = 0; r0 < rows; r0 += chunk) {
            int r = Math.min(chunk, rows - r0);
            FakeQuantized q = quantizerAt(r0, cols).fakeQuantize(rotatedRows(x, r0, r, cols), r, cols);
            System.arraycopy(q.values(), 0, out, r0 * cols, r * cols);
            System.arraycopy(q.clipMask(), 0, mask, r0 * cols, r * cols);
            saturated += q.saturated();
        }
        return new FakeQuantized(out, mask, saturated);
    }

    /** Rows per chunk, or at least {@code rows} for one whole-tensor pass. */
    private int chunkRows(int rows, int cols) {
        if (quantizer.format().isScaled() || quantizer.axis() != -1 || cols == 0) return Math.max(rows, 1);
        int r = Math.max(1, CHUNK_FLOATS / cols);
        // Chunks start at multiples of 4 elements, so that the random stream can be advanced to them.
        int step = 4 / gcd(cols, 4);
        r = Math.max(step, r / step * step);
        return r;
    }

    private Quantizer quantizerAt(int firstRow, int cols) {
        RandomStream s = quantizer.random();
        return s == null ? quantizer : quantizer.stochastic(s.advance((long) firstRow * cols / 4));
    }

    private float[] rotatedRows(float[] x, int r0, int r, int cols) {
        float[] part = Arrays.copyOfRange(x, r0 * cols, (r0 + r) * cols);
        rotation.applyInPlace(part, r, cols);
        return part;
    }

    /** Both ops' input checks, before any kernel runs. */
    private void check(float[] x, int rows, int cols) {
        Checks.notNull("x", x);
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        Checks.exactLength("x", x.length, (long) rows * cols);
        if (cols % rotation.n() != 0) {
            throw new IllegalArgumentException("cols must be a multiple of n=" + rotation.n() + ", got " + cols);
        }
        // The quantizer's one shape condition (Quantizer checks it too, but only after the rotation ran).
        if (quantizer.format().isScaled() && quantizer.tile() == Tile.T16X16 && (rows % 16 != 0 || cols % 16 != 0)) {
            throw new IllegalArgumentException("rows and cols must be multiples of 16 for tile 16x16, got " + rows + "x" + cols);
        }
    }

    private static int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }
}
