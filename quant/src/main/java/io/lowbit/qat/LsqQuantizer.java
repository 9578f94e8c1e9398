package io.lowbit.qat;

import io.lowbit.Checks;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.scalar.PairwiseSum;
import io.lowbit.backend.scalar.ScalarQat;

/**
 * Learned-step-size fake quantizer (LSQ, Esser et al. 2020; LSQ+ offsets, Bhalgat et al. 2020),
 * numerics contract section 8.
 *
 * <p>Integer grid {@code [-Qn, Qp]}: signed {@code Qn = 2^(b-1), Qp = 2^(b-1) - 1} (contract);
 * unsigned {@code Qn = 0, Qp = 2^b - 1} (our reading: the contract states the signed grid only),
 * {@code b} in 2..8.
 *
 * <p>Granularity: one scale for the whole tensor; one per channel (row of a {@code [rows, cols]}
 * tensor); or one per group of {@code groupSize} consecutive elements of a row (a shorter last
 * group is allowed). The {@code N} of {@code gradScale = 1/sqrt(N * Qp)} is the number of elements
 * that share the scale: n, cols, or the group's size.
 *
 * <p>The scales (and LSQ+ offsets) are the learned parameters: the training code reads
 * {@link Gradients#ds()}, steps its optimizer and hands back the new values with
 * {@link #setScales(float[])}. Not thread-safe.
 */
public final class LsqQuantizer {
    public enum Granularity { PER_TENSOR, PER_CHANNEL, PER_GROUP }

    /** {@code dx} like x; {@code ds} (and {@code dOffsets}, LSQ+ only, else null) one per scale. */
    public record Gradients(float[] dx, float[] ds, float[] dOffsets) {}

    private final int bits;
    private final boolean signed;
    private final Granularity granularity;
    private final int rows, cols, groupSize;
    private final float[] scales;
    private float[] offsets;
    private Backend backend;

    private LsqQuantizer(int bits, boolean signed, Granularity granularity, int rows, int cols, int groupSize, float[] scales) {
        this.bits = bits;
        this.signed = signed;
        this.granularity = granularity;
        this.rows = rows;
        this.cols = cols;
        this.groupSize = groupSize;
        this.scales = scales.clone();
        checkScales("scales", this.scales);
    }

    /** One scale for a tensor of any length. */
    public static LsqQuantizer perTensor(int bits, boolean signed, float scale) {
        checkBits(bits);
        return new LsqQuantizer(bits, signed, Granularity.PER_TENSOR, 1, -1, -1, new float[] {scale});
    }

    /** One scale per row of a {@code [rows, cols]} tensor: {@code scales.length == rows}. */
    public static LsqQuantizer perChannel(int bits, boolean signed, int rows, int cols, float[] scales) {
        checkBits(bits);
        checkShape(rows, cols);
        Checks.notNull("scales", scales);
        if (scales.length != rows) {
            throw new IllegalArgumentException("scales must hold one scale per channel (rows = " + rows + "), got " + scales.length);
        }
        return new LsqQuantizer(bits, signed, Granularity.PER_CHANNEL, rows, cols, cols, scales);
    }

    /** One scale per group of {@code groupSize} consecutive elements of a row: {@code rows * ceil(cols / groupSize)} scales. */
    public static LsqQuantizer perGroup(int bits, boolean signed, int rows, int cols, int groupSize, float[] scales) {
        checkBits(bits);
        checkShape(rows, cols);
        Checks.inRange("groupSize", groupSize, 1, Integer.MAX_VALUE);
        Checks.notNull("scales", scales);
        long want = (long) rows * ((cols + (long) groupSize - 1) / groupSize);
        if (scales.length != want) {
            throw new IllegalArgumentException("scales must hold one scale per group (rows * ceil(cols / groupSize) = "
                    + want + "), got " + scales.length);
        }
        return new LsqQuantizer(bits, signed, Granularity.PER_GROUP, rows, cols, groupSize, scales);
    }

    /** Per-tensor, scale initialised from x by {@link #initialScale}. */
    public static LsqQuantizer initPerTensor(int bits, boolean signed, float[] x) {
        checkBits(bits);
        Checks.notNull("x", x);
        return perTensor(bits, signed, initialScale("x", x, 0, x.length, ScalarQat.gridQp(bits, signed)));
    }

    public static LsqQuantizer initPerChannel(int bits, boolean signed, int rows, int cols, float[] x) {
        return initPerGroup(bits, signed, rows, cols, Math.max(cols, 1), x, Granularity.PER_CHANNEL);
    }

    public static LsqQuantizer initPerGroup(int bits, boolean signed, int rows, int cols, int groupSize, float[] x) {
        return initPerGroup(bits, signed, rows, cols, groupSize, x, Granularity.PER_GROUP);
    }

    private static LsqQuantizer initPerGroup(int bits, boolean signed, int rows, int cols, int groupSize, float[] x, Granularity gr) {
        checkBits(bits);
        checkShape(rows, cols);
        Checks.inRange("groupSize", groupSize, 1, Integer.MAX_VALUE);
        Checks.notNull("x", x);
        Checks.exactLength("x", x.length, (long) rows * cols);
        int perRow = (cols + groupSize - 1) / groupSize, qp = ScalarQat.gridQp(bits, signed);
        float[] s = new float[rows * perRow];
        for (int k = 0; k < s.length; k++) {
            int j = k % perRow;
            s[k] = initialScale("x", x, (k / perRow) * cols + j * groupSize, Math.min(groupSize, cols - j * groupSize), qp);
        }
        return gr == Granularity.PER_CHANNEL ? perChannel(bits, signed, rows, cols, s) : perGroup(bits, signed, rows, cols, groupSize, s);
    }

    /**
     * LSQ initialisation {@code s = 2 * mean|x| / sqrt(Qp)} over {@code x[from, from + len)}: the sum of |x| by the
     * canonical pairwise tree in float32, divided by len in float32, then {@code 2 * mean / sqrt(Qp)} in float64
     * rounded once (our fixing of an order the LSQ paper leaves open).
     *
     * @throws IllegalArgumentException if the result is not a finite value &gt; 0 (all-zero or non-finite x)
     */
    public static float initialScale(String name, float[] x, int from, int len, int qp) {
        float[] abs = new float[len];
        for (int i = 0; i < len; i++) abs[i] = Math.abs(x[from + i]);
        float mean = PairwiseSum.sum(abs, 0, len) / len;
        float s = (float) (2.0 * mean / Math.sqrt(qp));
        if (!(s > 0) || Float.isInfinite(s)) {
            throw new IllegalArgumentException(name + "[" + from + ".." + (from + len) + ") must hold finite values, not all zero,"
                    + " to initialise a scale (2 * mean|x| / sqrt(Qp) = " + s + ")");
        }
        return s;
    }

    /** LSQ+: a learnable offset beta per scale, {@code q = clamp(rne((x - beta) / s), -Qn, Qp) * s + beta}. */
    public LsqQuantizer withOffsets(float[] offsets) {
        Checks.notNull("offsets", offsets);
        Checks.exactLength("offsets", offsets.length, scales.length);
        checkFinite("offsets", offsets);
        this.offsets = offsets.clone();
        return this;
    }

    /** Run the kernels on {@code backend} instead of {@link Backends#get()}. */
    public LsqQuantizer withBackend(Backend backend) {
        this.backend = Checks.notNull("backend", backend);
        return this;
    }

    public int bits() { return bits; }
    public boolean signed() { return signed; }
    public Granularity granularity() { return granularity; }
    public int qn() { return ScalarQat.gridQn(bits, signed); }
    public int qp() { return ScalarQat.gridQp(bits, signed); }
    public int groupSize() { return groupSize; }
    public float[] scales() { return scales.clone(); }
    public float[] offsets() { return offsets == null ? null : offsets.clone(); }

    /** New learned scales (same count), e.g. after an optimizer step. */
    public void setScales(float[] newScales) {
        Checks.notNull("scales", newScales);
        Checks.exactLength("scales", newScales.length, scales.length);
        checkScales("scales", newScales);
        System.arraycopy(newScales, 0, scales, 0, scales.length);
    }

    public void setOffsets(float[] newOffsets) {
        if (offsets == null) throw new IllegalArgumentException("offsets: this quantizer has none (use withOffsets for LSQ+)");
        Checks.notNull("offsets", newOffsets);
        Checks.exactLength("offsets", newOffsets.length, offsets.length);
        checkFinite("offsets", newOffsets);
        System.arraycopy(newOffsets, 0, offsets, 0, offsets.length);
    }

    /** The fake-quantized tensor q (contract 8 forward). */
    public float[] forward(float[] x) {
        checkX("x", x);
        float[] q = new float[x.length];
        int c = cols(x);
        backend().qat().lsqForward(x, rows, c, group(c), scales, offsets, qn(), qp(), q);
        return q;
    }

    /** dx (straight-through inside the grid), ds (and dOffsets for LSQ+) for upstream gradient g. */
    public Gradients backward(float[] x, float[] g) {
        checkX("x", x);
        checkX("g", g);
        Checks.exactLength("g", g.length, x.length);
        float[] dx = new float[x.length], ds = new float[scales.length];
        float[] dOffsets = offsets == null ? null : new float[scales.length];
        int c = cols(x);
        backend().qat().lsqBackward(x, g, rows, c, group(c), scales, offsets, qn(), qp(), dx, ds, dOffsets);
        return new Gradients(dx, ds, dOffsets);
    }

    private int cols(float[] x) { return granularity == Granularity.PER_TENSOR ? x.length : cols; }

    private int group(int c) { return granularity == Granularity.PER_TENSOR ? Math.max(c, 1) : groupSize; }

    private Backend backend() { return backend != null ? backend : Backends.get(); }

    private void checkX(String name, float[] a) {
        Checks.notNull(name, a);
        if (granularity != Granularity.PER_TENSOR) Checks.exactLength(name, a.length, (long) rows * cols);
    }

    private static void checkBits(int bits) { Checks.inRange("bits", bits, 2, 8); }

    private static void checkShape(int rows, int cols) {
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        if ((long) rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rows * cols must be at most " + Integer.MAX_VALUE + ", got " + (long) rows * cols);
        }
    }

    private static void checkScales(String name, float[] s) {
        for (int k = 0; k < s.length; k++) {
            if (!(s[k] > 0) || Float.isInfinite(s[k])) {
                throw new IllegalArgumentException(name + "[" + k + "] must be a finite value > 0, got " + s[k]);
            }
        }
    }

    private static void checkFinite(String name, float[] v) {
        for (int k = 0; k < v.length; k++) {
            if (!Float.isFinite(v[k])) throw new IllegalArgumentException(name + "[" + k + "] must be finite, got " + v[k]);
        }
    }
}
