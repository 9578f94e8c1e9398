package io.lowbit.backend.scalar;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.MxKernels;
import io.lowbit.mx.ScaleMode;

import java.util.Arrays;

/**
 * Reference MX and scaled block quantization, contract sections 4 and 5, one block and one
 * element at a time. Element casts are {@link ScalarCodec#encode} (which takes
 * {@code x * 2^-e} exactly), random words {@link ScalarCasts.RandomWords}.
 *
 * <p>Work is split into blocks numbered {@code 0 .. blockCount}; every block is computed
 * from the input alone, so the fast subclass may hand ranges of blocks to threads
 * ({@link #mxBlocks}, {@link #scaledBlocks}) without changing a bit.
 */
public class ScalarMx implements MxKernels {

    /** {@link #scaleExponent} result for a block whose scale is NaN (code 0xFF). */
    public static final int NAN_SCALE = 128;

    // ---------------------------------------------------------------- section 4.2

    /** The element format's largest exponent, emax of contract 4.2. */
    public static int emax(ElementFormat elem) {
        switch (elem) {
            case E2M1: case E2M3: return 2;
            case E3M2: return 4;
            case E4M3: return 8;
            case E5M2: return 15;
            case INT8: return 0;
            default: throw new IllegalArgumentException("elem must be an MX element format, got " + elem);
        }
    }

    /** floor(log2(v)) of a positive finite float32 given by its bits, subnormals included. */
    static int floorLog2(int absBits) {
        int biased = absBits >>> 23;
        return biased == 0 ? (31 - Integer.numberOfLeadingZeros(absBits)) - 149 : biased - 127;
    }

    /** The 24-bit significand with its leading 1 at bit 23 (subnormals normalized). */
    static int significand24(int absBits) {
        int biased = absBits >>> 23;
        if (biased != 0) return (absBits & 0x7FFFFF) | 0x800000;
        return absBits << (Integer.numberOfLeadingZeros(absBits) - 8);
    }

    /**
     * Contract 4.2: the block's scale exponent e in -127..127, or {@link #NAN_SCALE} when
     * amax is NaN or Inf or e exceeds 127. All from amax's bits, no floating-point log2.
     */
    public static int scaleExponent(ElementFormat elem, ScaleMode mode, float amax) {
        int bits = Float.floatToRawIntBits(amax) & 0x7FFFFFFF;
        if (bits >= 0x7F800000) return NAN_SCALE;
        if (bits == 0) return -127;
        int floorLog2 = floorLog2(bits);
        int e;
        switch (mode) {
            case FLOOR:
                e = floorLog2 - emax(elem);
                break;
            case CEIL: {
                boolean powerOfTwo = significand24(bits) == 0x800000;
                e = floorLog2 + (powerOfTwo ? 0 : 1) - emax(elem);
                break;
            }
            case EVEN: {
                // R = amax rounded half-up to the mantissa width: a carry may reach the
                // exponent (even past the largest finite exponent: R = 2^128 is fine here).
                int rounded = bits + (1 << (22 - elem.mantissaBits()));
                e = floorLog2(rounded) - emax(elem);
                break;
            }
            case RCEIL: {
                // amax / maxElem lies in (2^(E-k-1), 2^(E-k+1)) with k = floor(log2(maxElem)),
                // so e is E-k when amax <= maxElem * 2^(E-k), i.e. when amax's significand is
                // at most maxElem's, else E-k+1. Integers: exact.
                int maxBits = Float.floatToRawIntBits(elem.maxFinite());
                int k = floorLog2(maxBits);
                e = floorLog2 - k + (significand24(bits) <= significand24(maxBits) ? 0 : 1);
                break;
            }
            default:
                throw new AssertionError(mode);
        }
        if (e > 127) return NAN_SCALE;
        return Math.max(e, -127);
    }

    /** The scale code of an exponent from {@link #scaleExponent}. */
    public static int scaleCode(int e) { return e == NAN_SCALE ? 0xFF : e + 127; }

    /**
     * The largest |x| that does not saturate under scale 2^e: maxElem * 2^e, exact in float32
     * for every e in -127..127 (Inf where it exceeds float32, where nothing finite exceeds it).
     */
    public static float saturationBound(ElementFormat elem, int e) {
        return elem.maxFinite() * powerOfTwo(e);   // one rounding: exact, or Inf past FLT_MAX
    }

    /** 2^k as float32 for k in -127..127 (2^-127 is the subnormal 0x00400000). */
    public static float powerOfTwo(int k) {
        return k == -127 ? ScalarCodec.E8M0_MIN : Float.intBitsToFloat((k + 127) << 23);
    }

    // ---------------------------------------------------------------- section 4

    /** The arguments of one MX quantization, shared by the block workers. */
    public record MxJob(ElementFormat elem, int blockSize, int axis, ScaleMode mode, RandomStream random,
                        float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                        byte[] clipMask) {
        /** Blocks along one row (axis -1) or one column (axis 0). */
        public int blocksPerLine() {
            return axis == 0 ? ceilDiv(rows, blockSize) : ceilDiv(cols, blockSize);
        }

        /** All blocks: axis -1 numbers them (row, block) row-major, axis 0 (block row, column). */
        public long blockCount() {
            return axis == 0 ? (long) blocksPerLine() * cols : (long) rows * blocksPerLine();
        }
    }

    @Override
    public long quantizeMx(ElementFormat elem, int blockSize, int axis, ScaleMode mode, RandomStream random,
                           float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                           byte[] clipMask) {
        MxJob job = new MxJob(elem, blockSize, axis, mode, random, x, rows, cols, scales, codes, dequantized, clipMask);
        return runBlocks(job.blockCount(), blockSize, (from, to) -> mxBlocks(job, from, to));
    }

    /** Work on the blocks {@code from .. to}; returns the saturated count. */
    @FunctionalInterface
    protected interface BlockRange {
        long run(long from, long to);
    }

    /**
     * Runs {@code body} over blocks {@code 0 .. total} ({@code elementsPerBlock} each) and
     * sums its counts. Here in one call; a subclass may split the range between threads,
     * which changes no bit because every block depends only on the input.
     */
    protected long runBlocks(long total, int elementsPerBlock, BlockRange body) {
        return body.run(0, total);
    }

    /**
     * Quantizes blocks {@code from .. to} of the job. Block t of axis -1 is row t / nb,
     * columns from (t % nb) * blockSize; of axis 0 it is column t % cols, rows from
     * (t / cols) * blockSize. The scale index is t in both layouts.
     */
    protected long mxBlocks(MxJob job, long from, long to) {
        ScalarCasts.RandomWords words = job.random() == null ? null : ScalarCasts.RandomWords.of(job.random());
        int nb = job.blocksPerLine();
        int bs = job.blockSize();
        long saturated = 0;
        for (long t = from; t < to; t++) {
            int first;    // row-major index of the block's first element
            int count;    // elements in the block (the last one of a line may be shorter)
            int stride;   // distance between consecutive elements of the block
            if (job.axis() == 0) {
                int blockRow = (int) (t / job.cols());
                int col = (int) (t % job.cols());
                int r0 = blockRow * bs;
                first = r0 * job.cols() + col;
                count = Math.min(bs, job.rows() - r0);
                stride = job.cols();
            } else {
                int row = (int) (t / nb);
                int c0 = (int) (t % nb) * bs;
                first = row * job.cols() + c0;
                count = Math.min(bs, job.cols() - c0);
                stride = 1;
            }
            saturated += quantizeBlock(job, words, (int) t, first, count, stride);
        }
        return saturated;
    }

    /** One MX block: amax, scale (4.2), elements (4.3). */
    protected static long quantizeBlock(MxJob job, ScalarCasts.RandomWords words, int scaleIndex,
                                      int first, int count, int stride) {
        float[] x = job.x();
        float amax = 0f;
        for (int k = 0, i = first; k < count; k++, i += stride) amax = Math.max(amax, Math.abs(x[i]));
        int e = scaleExponent(job.elem(), job.mode(), amax);
        int scaleCode = scaleCode(e);
        job.scales()[scaleIndex] = (byte) scaleCode;
        float scale = ScalarCodec.decode(ElementFormat.E8M0, scaleCode);
        if (e == NAN_SCALE) {
            for (int k = 0, i = first; k < count; k++, i += stride) {
                if (job.codes() != null) job.codes()[i] = 0;
                if (job.dequantized() != null) job.dequantized()[i] = Float.NaN;
                if (job.clipMask() != null) job.clipMask()[i] = 0;
            }
            return 0;
        }
        float bound = saturationBound(job.elem(), e);
        long saturated = 0;
        boolean stochastic = words != null;
        for (int k = 0, i = first; k < count; k++, i += stride) {
            int code = ScalarCodec.encode(job.elem(), x[i], e, true, stochastic, stochastic ? words.word(i) : 0);
            boolean clipped = Math.abs(x[i]) > bound;
            if (clipped) saturated++;
            if (job.codes() != null) job.codes()[i] = (byte) code;
            if (job.dequantized() != null) job.dequantized()[i] = ScalarCodec.decode(job.elem(), code) * scale;
            if (job.clipMask() != null) job.clipMask()[i] = (byte) (clipped ? 1 : 0);
        }
        return saturated;
    }

    @Override
    public void dequantizeMx(ElementFormat elem, int blockSize, int axis, byte[] scales, byte[] codes,
                             int rows, int cols, float[] out) {
        int nb = axis == 0 ? ceilDiv(rows, blockSize) : ceilDiv(cols, blockSize);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int s = axis == 0 ? (r / blockSize) * cols + c : r * nb + c / blockSize;
                int i = r * cols + c;
                out[i] = ScalarCodec.decode(elem, codes[i] & 0xFF) * ScalarCodec.decode(ElementFormat.E8M0, scales[s] & 0xFF);
            }
        }
    }

    // ---------------------------------------------------------------- section 5

    /** Block length of scaled quantization (contract 5). */
    public static final int SCALED_BLOCK = 16;
    private static final float ONE_SIXTH = 1f / 6f;

    /** The arguments of one scaled quantization, with the tensor-wide encT/decT of steps 1-2. */
    public record ScaledJob(ElementFormat scaleFormat, boolean tile16x16, RandomStream random,
                            float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                            byte[] clipMask, float encT, float decT) {
        public int blocksPerRow() { return ceilDiv(cols, SCALED_BLOCK); }
        public long blockCount() { return (long) rows * blocksPerRow(); }
    }

    /** Step 1: max |x| over the tensor; NaN if it holds a NaN or an Inf. */
    protected float tensorAmax(float[] x, int n) {
        float amax = 0f;
        for (int i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[i]));
        return Float.isFinite(amax) ? amax : Float.NaN;
    }

    /** Step 2: encT from amaxT; decT is 1 / encT. */
    public static float tensorEncodeScale(ElementFormat scaleFormat, float amaxT) {
        float encT = Math.min((scaleFormat.maxFinite() * 6f) / amaxT, Float.MAX_VALUE);
        return encT == 0f ? 1f : encT;
    }

    @Override
    public long quantizeScaled(ElementFormat scaleFormat, boolean tile16x16, RandomStream random,
                               float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                               byte[] clipMask, float[] tensorScale) {
        ScaledJob job = scaledJob(scaleFormat, tile16x16, random, x, rows, cols, scales, codes, dequantized,
                clipMask, tensorScale);
        if (job == null) return 0;
        return runBlocks(job.blockCount(), SCALED_BLOCK, (from, to) -> scaledBlocks(job, from, to));
    }

    /**
     * Steps 1-2: the job with encT and decT (decT also into {@code tensorScale[0]}); or, when the
     * tensor holds a NaN or Inf, the all-NaN result written into the given arrays and null.
     */
    protected ScaledJob scaledJob(ElementFormat scaleFormat, boolean tile16x16, RandomStream random,
                                  float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                                  byte[] clipMask, float[] tensorScale) {
        int n = rows * cols;
        float amaxT = tensorAmax(x, n);
        int nb = ceilDiv(cols, SCALED_BLOCK);
        if (Float.isNaN(amaxT)) {
            // A NaN or Inf anywhere: the whole tensor is NaN (contract 5).
            Arrays.fill(scales, 0, rows * nb, (byte) ScalarCodec.nanCode(scaleFormat, false));
            if (codes != null) Arrays.fill(codes, 0, n, (byte) 0);
            if (dequantized != null) Arrays.fill(dequantized, 0, n, Float.NaN);
            if (clipMask != null) Arrays.fill(clipMask, 0, n, (byte) 0);
            tensorScale[0] = Float.NaN;
            return null;
        }
        float encT = tensorEncodeScale(scaleFormat, amaxT);
        float decT = 1f / encT;
        tensorScale[0] = decT;
        return new ScaledJob(scaleFormat, tile16x16, random, x, rows, cols, scales, codes, dequantized,
                clipMask, encT, decT);
    }

    /** Steps 3-6 for blocks {@code from .. to}; block t is row t / nb, columns from (t % nb) * 16. */
    protected long scaledBlocks(ScaledJob job, long from, long to) {
        ScalarCasts.RandomWords words = job.random() == null ? null : ScalarCasts.RandomWords.of(job.random());
        boolean stochastic = words != null;
        float[] x = job.x();
        int cols = job.cols();
        int nb = job.blocksPerRow();
        ElementFormat sf = job.scaleFormat();
        long saturated = 0;
        for (long t = from; t < to; t++) {
            int row = (int) (t / nb);
            int c0 = (int) (t % nb) * SCALED_BLOCK;
            int c1 = Math.min(c0 + SCALED_BLOCK, cols);
            // amax over the 1x16 block, or over the 16x16 tile holding it
            int r0 = job.tile16x16() ? row - row % SCALED_BLOCK : row;
            int r1 = job.tile16x16() ? r0 + SCALED_BLOCK : row + 1;
            float amax = 0f;
            for (int r = r0; r < r1; r++) {
                for (int c = c0; c < c1; c++) amax = Math.max(amax, Math.abs(x[r * cols + c]));
            }
            int scaleCode = blockScaleCode(sf, job.encT(), amax);
            job.scales()[(int) t] = (byte) scaleCode;
            float scale = ScalarCodec.decode(sf, scaleCode);
            float encB = blockEncodeScale(scale, job.decT());
            for (int c = c0; c < c1; c++) {                                  // steps 5-6
                int i = row * cols + c;
                float v = x[i] * encB;
                boolean clipped = Math.abs(v) > 6f;
                float clamped = Math.max(-6f, Math.min(6f, v));
                int code = ScalarCodec.encode(ElementFormat.E2M1, clamped, 0, true, stochastic,
                        stochastic ? words.word(i) : 0);
                if (clipped) saturated++;
                if (job.codes() != null) job.codes()[i] = (byte) code;
                if (job.dequantized() != null) {
                    job.dequantized()[i] = (ScalarCodec.decode(ElementFormat.E2M1, code) * scale) * job.decT();
                }
                if (job.clipMask() != null) job.clipMask()[i] = (byte) (clipped ? 1 : 0);
            }
        }
        return saturated;
    }

    /** Step 3: the block's scale code from its amax. */
    public static int blockScaleCode(ElementFormat scaleFormat, float encT, float amax) {
        return ScalarCodec.encode(scaleFormat, blockScaleValue(scaleFormat, encT, amax), false);
    }

    /** Step 3 before the cast: amax * encT / 6 clamped to the scale format's range. */
    public static float blockScaleValue(ElementFormat scaleFormat, float encT, float amax) {
        float s = scaleFormat.maxFinite();
        float d = amax * (encT * ONE_SIXTH);
        d = Math.min(d, Float.MAX_VALUE);
        return Math.max(-s, Math.min(s, d));
    }

    /** Step 4: encB from the decoded block scale and decT. */
    public static float blockEncodeScale(float scale, float decT) {
        return Math.min(1f / (scale * decT), Float.MAX_VALUE);
    }

    @Override
    public void dequantizeScaled(ElementFormat scaleFormat, float decT, byte[] scales, byte[] codes,
                                 int rows, int cols, float[] out) {
        int nb = ceilDiv(cols, SCALED_BLOCK);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                float scale = ScalarCodec.decode(scaleFormat, scales[r * nb + c / SCALED_BLOCK] & 0xFF);
                out[i] = (ScalarCodec.decode(ElementFormat.E2M1, codes[i] & 0xFF) * scale) * decT;
            }
        }
    }

    static int ceilDiv(int a, int b) { return a / b + (a % b == 0 ? 0 : 1); }
}
