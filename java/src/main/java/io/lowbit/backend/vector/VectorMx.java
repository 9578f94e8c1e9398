package io.lowbit.backend.vector;

import io.lowbit.ElementFormat;
import io.lowbit.backend.scalar.ScalarCodec;
import io.lowbit.backend.scalar.ScalarMx;
import io.lowbit.mx.ScaleMode;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MX and scaled quantization on the Vector API, on several threads for large tensors.
 *
 * <p>Fast path: round to nearest even on full blocks whose elements are contiguous (axis -1)
 * and a multiple of the vector length long; everything else (stochastic rounding, axis 0,
 * short blocks, NaN blocks) is the scalar reference's block code. The fast encoder reproduces
 * ScalarCodec's exact RNE: {@code v = |x| * 2^-e} is exact in float32 wherever the code can be
 * nonzero (a product that underflows below 2^-126 is far under half the smallest element
 * step, so its code is a signed zero either way); a v at or above the element's smallest
 * normal is rounded on its float bits (add half an element ulp minus one plus the kept lsb,
 * shift), a smaller v on a fixed grid with the float32 add-2^23 trick. MXFP4 (E2M1) has its
 * own loop and encoder with fewer instructions ({@link #encodeE2M1}).
 *
 * <p>Threads take tasks of whole blocks (about {@code elementsPerTask} elements each) from
 * a counter; each block depends only on the input, and random words only on the element
 * index, so no result depends on the thread count or on which thread ran a task.
 */
public class VectorMx extends ScalarMx {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int L = FS.length();
    /** Bytes of one int vector's lanes (64 bits for AVX2), or null where no such shape exists. */
    private static final VectorSpecies<Byte> BS = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8)) : null;
    private static final float TWO23 = 0x1p23f;
    private static final int TWO22_BITS = Float.floatToRawIntBits(0x1p22f);
    private static final int SIX_BITS = Float.floatToRawIntBits(6f);

    private final int threads;
    private final long elementsPerTask;
    private volatile ExecutorService pool;

    /** Threads from {@code -Dlowbit.threads} (default: available processors). */
    public VectorMx() {
        this(Integer.getInteger("lowbit.threads", Runtime.getRuntime().availableProcessors()), 1 << 16);
    }

    /**
     * @param threads         worker threads (1: the calling thread only)
     * @param elementsPerTask elements per task; smaller tensors run on the calling thread
     */
    public VectorMx(int threads, long elementsPerTask) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (elementsPerTask < 1) throw new IllegalArgumentException("elementsPerTask must be at least 1, got " + elementsPerTask);
        this.threads = threads;
        this.elementsPerTask = elementsPerTask;
    }

    public int threads() { return threads; }

    // ---------------------------------------------------------------- threads

    @Override
    protected long runBlocks(long total, int elementsPerBlock, BlockRange body) {
        long perTask = Math.max(1, elementsPerTask / elementsPerBlock);
        long tasks = (total + perTask - 1) / perTask;
        if (threads == 1 || tasks <= 1) return body.run(0, total);
        AtomicLong next = new AtomicLong();
        java.util.concurrent.Callable<Long> worker = () -> {
            long sum = 0;
            for (long t; (t = next.getAndIncrement()) < tasks; ) {
                sum += body.run(t * perTask, Math.min(total, (t + 1) * perTask));
            }
            return sum;
        };
        List<Future<Long>> futures = new ArrayList<>();
        int helpers = (int) Math.min(threads - 1, tasks - 1);
        for (int i = 0; i < helpers; i++) futures.add(pool().submit(worker));
        long sum;
        try {
            sum = worker.call();
            for (Future<Long> f : futures) sum += f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return sum;
    }

    private ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (this) {
                if (pool == null) {
                    pool = Executors.newFixedThreadPool(threads - 1, r -> {
                        Thread t = new Thread(r, "lowbit-mx");
                        t.setDaemon(true);
                        return t;
                    });
                }
                p = pool;
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- section 4

    @Override
    protected long mxBlocks(MxJob job, long from, long to) {
        int bs = job.blockSize();
        if (job.random() != null || job.axis() == 0 || bs % L != 0) return super.mxBlocks(job, from, to);
        if (from >= to) return 0;   // no blocks (cols 0: nb is 0 too)
        if (job.elem() == ElementFormat.E2M1 && BS != null) return mxfp4Blocks(job, from, to);
        return generalBlocks(job, from, to);
    }

    /**
     * MXFP4 blocks (RNE, axis -1, block a multiple of L >= 8): amax, scale and {@link #encodeE2M1}'s
     * element code in one loop, the scale's powers of two built on their bits. Blocks it does not
     * take (a short last block, NaN or Inf, a scale exponent outside -126..125) go to
     * {@link #generalBlocks} one by one.
     */
    private long mxfp4Blocks(MxJob job, long from, long to) {
        int bs = job.blockSize();
        int nb = job.blocksPerLine();
        int cols = job.cols();
        boolean floor = job.mode() == ScaleMode.FLOOR;
        float[] x = job.x();
        byte[] scales = job.scales();
        byte[] clipMask = job.clipMask();
        float[] dequantized = job.dequantized();
        float[] lut = decodeTable(ElementFormat.E2M1);
        byte[] scratch = job.codes() == null ? new byte[bs] : null;
        byte[] codes = job.codes() != null ? job.codes() : scratch;
        long saturated = 0;
        int row = (int) (from / nb);
        int blockInRow = (int) (from % nb);
        for (long t = from; t < to; t++, blockInRow++) {
            if (blockInRow == nb) {
                blockInRow = 0;
                row++;
            }
            int col = blockInRow * bs;
            int first = row * cols + col;
            if (col + bs > cols) {
                saturated += generalBlocks(job, t, t + 1);
                continue;
            }
            IntVector m = IntVector.zero(IS);
            for (int i = first; i < first + bs; i += L) {
                m = m.max(FloatVector.fromArray(FS, x, i).reinterpretAsInts().and(0x7FFFFFFF));
            }
            int amaxBits = m.reduceLanes(VectorOperators.MAX);   // NaN: above Inf's bits (see amax)
            int e;
            if (floor) {
                e = (amaxBits >>> 23) - 127 - 2;   // contract 4.2 for a normal amax: floor(log2 amax) - emax
                if (amaxBits < 0x00800000) e = NAN_SCALE;   // subnormal or zero amax: the general code
            } else {
                e = scaleExponent(ElementFormat.E2M1, job.mode(), Float.intBitsToFloat(amaxBits));
            }
            if (e < E2M1_MIN_EXPONENT || e > 125) {   // NaN, Inf (NAN_SCALE), or a power of two below 2^-126
                saturated += generalBlocks(job, t, t + 1);
                continue;
            }
            scales[(int) t] = (byte) scaleCode(e);
            // No vector is live across a call (the fallbacks, scaleExponent): one would have to be boxed.
            FloatVector c0 = FloatVector.broadcast(FS, TWO23);
            FloatVector c2 = FloatVector.broadcast(FS, TWO23_PLUS_2);
            FloatVector c4 = FloatVector.broadcast(FS, TWO23_PLUS_4);
            // 2^(1-e), 2^-e, 2^(-1-e) and 6 * 2^e, all normal floats for e in -126..125
            FloatVector twice = IntVector.broadcast(IS, (128 - e) << 23).reinterpretAsFloats();
            FloatVector once = IntVector.broadcast(IS, (127 - e) << 23).reinterpretAsFloats();
            FloatVector half = IntVector.broadcast(IS, (126 - e) << 23).reinterpretAsFloats();
            IntVector limit = IntVector.broadcast(IS, (e + 129) << 23 | 0x00400000);
            IntVector clips = IntVector.zero(IS);
            int codesAt = codes == scratch ? 0 : first;
            for (int i = first; i < first + bs; i += L, codesAt += L) {
                // the element code: see encodeE2M1
                IntVector xbits = FloatVector.fromArray(FS, x, i).reinterpretAsInts();
                IntVector absBits = xbits.and(0x7FFFFFFF);
                FloatVector a = absBits.reinterpretAsFloats();
                IntVector r1 = a.fma(twice, c0).reinterpretAsInts();
                IntVector r2 = a.fma(once, c2).reinterpretAsInts();
                IntVector r4 = a.fma(half, c4).reinterpretAsInts();
                IntVector code = r1.min(r2).min(r4).min(TWO23_PLUS_7_BITS)
                        .or(xbits.lanewise(VectorOperators.LSHR, 28).and(8));
                ((ByteVector) code.castShape(BS, 0)).intoArray(codes, codesAt);
                IntVector clipped = limit.sub(absBits).lanewise(VectorOperators.LSHR, 31);
                clips = clips.add(clipped);
                if (clipMask != null) ((ByteVector) clipped.castShape(BS, 0)).intoArray(clipMask, i);
            }
            saturated += clips.reduceLanes(VectorOperators.ADD);
            if (dequantized != null) {
                float scale = powerOfTwo(e);
                int base = codes == scratch ? -first : 0;
                for (int i = first; i < first + bs; i++) dequantized[i] = lut[codes[base + i] & 0xFF] * scale;
            }
        }
        return saturated;
    }

    /** Blocks of {@link #mxBlocks}'s fast path for any element format. */
    private long generalBlocks(MxJob job, long from, long to) {
        int bs = job.blockSize();
        int nb = job.blocksPerLine();
        int cols = job.cols();
        ElementFormat elem = job.elem();
        float[] lut = decodeTable(elem);
        byte[] scratch = job.codes() == null ? new byte[bs] : null;
        int[] lanes = new int[L];
        long saturated = 0;
        int row = (int) (from / nb);
        int blockInRow = (int) (from % nb);
        for (long t = from; t < to; t++, blockInRow++) {
            if (blockInRow == nb) {   // (row, block) walked along instead of divided out per block
                blockInRow = 0;
                row++;
            }
            int c0 = blockInRow * bs;
            int first = row * cols + c0;
            int count = Math.min(bs, cols - c0);
            if (count != bs) {
                saturated += quantizeBlock(job, null, (int) t, first, count, 1);
                continue;
            }
            float amax = amax(job.x(), first, bs);
            int e = scaleExponent(elem, job.mode(), amax);
            if (e == NAN_SCALE) {
                saturated += quantizeBlock(job, null, (int) t, first, count, 1);
                continue;
            }
            job.scales()[(int) t] = (byte) scaleCode(e);
            float scale = powerOfTwo(e);
            float inverse = powerOfTwo(-e);   // 2^-e, exact for e in -127..127
            float bound = saturationBound(elem, e);
            // without a codes array (fake quantization) the block's codes go to a scratch array
            byte[] codes = job.codes() != null ? job.codes() : scratch;
            int base = job.codes() != null ? first : 0;
            if (elem == ElementFormat.E2M1 && BS != null && e >= E2M1_MIN_EXPONENT) {
                saturated += encodeE2M1(job.x(), first, bs, e, codes, base, job.clipMask());   // e = 126, 127
            } else {
                saturated += encodeVectors(elem, job.x(), first, bs, inverse, bound, false, codes, base, job.clipMask(), lanes);
            }
            if (job.dequantized() != null) {
                for (int i = first; i < first + bs; i++) job.dequantized()[i] = lut[codes[base + i - first] & 0xFF] * scale;
            }
        }
        return saturated;
    }

    /**
     * max |x| over count (a multiple of L) elements. On the bits with the sign cleared, integer
     * order is float order, and a NaN (bits above Inf's) wins like Math.max's NaN; integer max
     * avoids the NaN and -0 fix-ups of a float max.
     */
    private static float amax(float[] x, int from, int count) {
        IntVector m = IntVector.zero(IS);
        for (int i = from; i < from + count; i += L) {
            m = m.max(FloatVector.fromArray(FS, x, i).reinterpretAsInts().and(0x7FFFFFFF));
        }
        return Float.intBitsToFloat(m.reduceLanes(VectorOperators.MAX));
    }

    /**
     * Encodes {@code count} (a multiple of L) elements from {@code x[first]} as {@code elem} codes of {@code x * scaleUp} (RNE,
     * saturating) into {@code codes[codesAt ..]}. MX: {@code scaleUp} is 2^-e (the product exact, see the class doc) and an
     * element saturates when {@code |x| > bound}. Scaled ({@code scaled}): {@code scaleUp} is
     * encB, and the float32 product is clamped to [-6, 6] (contract 5 step 5), saturating when
     * {@code |x * encB| > 6}. Writes clip flags where asked; returns the number of saturated
     * elements. The loop is here, not in the caller, so that the JIT compiles it as one unit
     * with every vector operation inlined whatever it decides about inlining this call
     * (a per-vector method is past the JIT's inlining size: a call per 8 elements).
     */
    private static int encodeVectors(ElementFormat elem, float[] x, int first, int count, float scaleUp, float bound,
                                     boolean scaled, byte[] codes, int codesAt, byte[] clipMask, int[] lanes) {
        // Clip flags as 0/1 lanes summed in a vector, reduced once: the compared values are
        // neither NaN (a NaN block never gets here) nor negative, so float order is the order of
        // their bits, and (limitBits - bits) >>> 31 is 1 exactly where bits > limitBits.
        IntVector clips = IntVector.zero(IS);
        int limitBits = Float.floatToRawIntBits(scaled ? 6f : bound);
        for (int i = first; i < first + count; i += L, codesAt += L) {
            FloatVector xv = FloatVector.fromArray(FS, x, i);
            IntVector absBits = xv.reinterpretAsInts().and(0x7FFFFFFF);
            FloatVector v = absBits.reinterpretAsFloats().mul(scaleUp);   // |x * scaleUp|: the product's rounding is sign-symmetric
            IntVector clipped;
            if (scaled) {
                IntVector pbits = v.reinterpretAsInts();
                clipped = pbits.broadcast(limitBits).sub(pbits).lanewise(VectorOperators.LSHR, 31);
                v = pbits.min(SIX_BITS).reinterpretAsFloats();   // min(v, 6) on the bits, as in the rounding below
            } else {
                clipped = absBits.broadcast(limitBits).sub(absBits).lanewise(VectorOperators.LSHR, 31);
            }
            clips = clips.add(clipped);
            // The magnitude code: RNE, saturating, exact (see the class doc). Written out here, not
            // in helpers: a helper taking or returning vectors boxes them whenever the JIT happens
            // not to inline it (seen: NVFP4 runs taking 3x as long, by the luck of compile order).
            // Rounding w >= 0 (never NaN) to an integer: clamp to 2^22 on the bits (integer order
            // is float order here; a float min with Java's NaN and -0 rules is several
            // instructions), then w + 2^23 rounds to an integer (float32 RNE, the ulp at 2^23 is
            // 1) held in the low bits of the sum: no float-to-int conversion, which the JDK 17
            // Vector API does not compile to one instruction.
            IntVector vbits = v.reinterpretAsInts();
            IntVector code;
            if (elem == ElementFormat.INT8) {
                FloatVector w = v.mul(64f);
                code = w.reinterpretAsInts().min(TWO22_BITS).reinterpretAsFloats().add(TWO23).reinterpretAsInts()
                        .sub(0x4B000000).min(127);
            } else {
                Minifloat f = MINIFLOATS[elem.ordinal()];
                // a normal element value: RNE on the float32 fraction bits, the carry into the exponent included
                IntVector normal = vbits.add(vbits.lanewise(VectorOperators.LSHR, f.shift).and(1)).add(f.halfMinusOne)
                        .lanewise(VectorOperators.LSHR, f.shift).sub(f.rebias);
                // below the smallest normal: RNE on the subnormal grid
                FloatVector w = v.mul(f.subnormalScale);
                IntVector sub = w.reinterpretAsInts().min(TWO22_BITS).reinterpretAsFloats().add(TWO23).reinterpretAsInts()
                        .sub(0x4B000000);
                code = normal.blend(sub, vbits.compare(VectorOperators.LT, f.minNormalBits)).min(f.maxCode);
            }
            VectorMask<Integer> negative = xv.reinterpretAsInts().compare(VectorOperators.LT, 0);
            if (elem == ElementFormat.INT8) {
                code = code.blend(code.neg().and(0xFF), negative);
            } else {
                code = code.blend(code.or(1 << (elem.bits() - 1)), negative);
            }
            // lanes to bytes: castShape to the byte vector of L lanes; where none exists (L < 8),
            // through an int array
            if (BS != null) {
                ((ByteVector) code.castShape(BS, 0)).intoArray(codes, codesAt);
            } else {
                code.intoArray(lanes, 0);
                for (int k = 0; k < L; k++) codes[codesAt + k] = (byte) lanes[k];
            }
            if (clipMask != null) {
                if (BS != null) {
                    ((ByteVector) clipped.castShape(BS, 0)).intoArray(clipMask, i);
                } else {
                    clipped.intoArray(lanes, 0);
                    for (int k = 0; k < L; k++) clipMask[i + k] = (byte) lanes[k];
                }
            }
        }
        return clips.reduceLanes(VectorOperators.ADD);
    }

    /** Smallest scale exponent {@link #encodeE2M1} takes: its factor 2^(1 - e) must be a finite float32. */
    static final int E2M1_MIN_EXPONENT = -126;
    private static final float TWO23_PLUS_2 = 0x1p23f + 2;
    private static final float TWO23_PLUS_4 = 0x1p23f + 4;
    private static final int TWO23_PLUS_7_BITS = Float.floatToRawIntBits(0x1p23f + 7);

    /**
     * MXFP4's encoder: what {@link #encodeVectors} does for E2M1 under scale 2^e (RNE, saturating),
     * {@code count} a multiple of L, e in {@link #E2M1_MIN_EXPONENT}..127, L >= 8; in about half the
     * instructions. With v = |x| * 2^-e exactly, the magnitude code is
     * {@code min(rint(2v), 2 + rint(v), 4 + rint(v/2), 7)}: E2M1's magnitudes 0, .5, 1, 1.5 | 2, 3, 4 | 6
     * are codes 2v on [0, 2], 2 + v on [2, 4], 4 + v/2 from 4 on; the three lines are the tangents of
     * that concave staircase, so the smallest is the right piece (2v <= 2 + v iff v <= 2, 2 + v <= 4 + v/2
     * iff v <= 4), and adding an even integer before rint keeps the tie's parity, so each piece's
     * RNE tie goes to the even code. Each rint is one fused multiply-add,
     * {@code fma(|x|, 2^(k - e), 2^23 + c)}: the product is exact inside the fma and the one rounding
     * of the sum (ulp 1 at 2^23) is RNE to an integer held in the low bits, exact for subnormal
     * products too. Sums past 2^24 (or Inf) have larger bits than 2^23 + 7, so the integer min on
     * the bits (positive floats: integer order is float order) saturates them; the code is the
     * low byte of the bits (castShape to bytes keeps the low 8 bits). Sign: bit 3 from x's sign
     * bit, so -0 and negatives rounding to zero keep it, as in ScalarCodec.
     */
    static int encodeE2M1(float[] x, int first, int count, int e, byte[] codes, int codesAt, byte[] clipMask) {
        // exact powers of two: 2^-128 (e = 127) is a float32 subnormal, outside powerOfTwo's range
        FloatVector twice = FloatVector.broadcast(FS, Math.scalb(1f, 1 - e));
        FloatVector once = FloatVector.broadcast(FS, Math.scalb(1f, -e));
        FloatVector half = FloatVector.broadcast(FS, Math.scalb(1f, -1 - e));
        FloatVector c0 = FloatVector.broadcast(FS, TWO23);
        FloatVector c2 = FloatVector.broadcast(FS, TWO23_PLUS_2);
        FloatVector c4 = FloatVector.broadcast(FS, TWO23_PLUS_4);
        int limitBits = Float.floatToRawIntBits(saturationBound(ElementFormat.E2M1, e));
        IntVector clips = IntVector.zero(IS);
        for (int i = first; i < first + count; i += L, codesAt += L) {
            IntVector xbits = FloatVector.fromArray(FS, x, i).reinterpretAsInts();
            IntVector absBits = xbits.and(0x7FFFFFFF);
            FloatVector a = absBits.reinterpretAsFloats();
            IntVector r1 = a.fma(twice, c0).reinterpretAsInts();
            IntVector r2 = a.fma(once, c2).reinterpretAsInts();
            IntVector r4 = a.fma(half, c4).reinterpretAsInts();
            IntVector code = r1.min(r2).min(r4).min(TWO23_PLUS_7_BITS)
                    .or(xbits.lanewise(VectorOperators.LSHR, 28).and(8));
            ((ByteVector) code.castShape(BS, 0)).intoArray(codes, codesAt);
            // clip flag: 1 exactly where |x| > 6 * 2^e (see encodeVectors)
            IntVector clipped = absBits.broadcast(limitBits).sub(absBits).lanewise(VectorOperators.LSHR, 31);
            clips = clips.add(clipped);
            if (clipMask != null) ((ByteVector) clipped.castShape(BS, 0)).intoArray(clipMask, i);
        }
        return clips.reduceLanes(VectorOperators.ADD);
    }

    /** Per-format constants of the magnitude code in {@link #encodeVectors}. */
    static final class Minifloat {
        final int shift;          // 23 - mantissa bits: float32 fraction bits dropped
        final int halfMinusOne;   // half an element ulp minus one, in float32 fraction units
        final int rebias;         // float32 exponent field to the element's, in code units
        final float subnormalScale;   // 2^(m - emin): the subnormal grid to integers
        final int minNormalBits;  // float32 bits of the smallest normal element magnitude
        final int maxCode;        // largest finite magnitude code

        Minifloat(ElementFormat elem, int maxCode) {
            int m = elem.mantissaBits();
            int emin = 1 - elem.bias();
            shift = 23 - m;
            halfMinusOne = (1 << (shift - 1)) - 1;
            rebias = (127 - elem.bias()) << m;
            subnormalScale = Math.scalb(1f, m - emin);
            minNormalBits = Float.floatToRawIntBits(Math.scalb(1f, emin));
            this.maxCode = maxCode;
        }
    }

    private static final Minifloat[] MINIFLOATS = new Minifloat[ElementFormat.values().length];

    static {
        for (ElementFormat f : ElementFormat.values()) {
            if (f.isMxElement() && f != ElementFormat.INT8) MINIFLOATS[f.ordinal()] = new Minifloat(f, maxMagnitude(f));
            // scale formats of section 5: every value up to maxFinite is finite (0xFF is NaN)
            if (f == ElementFormat.UE4M3 || f == ElementFormat.UE5M3) MINIFLOATS[f.ordinal()] = new Minifloat(f, 0xFE);
        }
    }

    private static int maxMagnitude(ElementFormat elem) {
        switch (elem) {
            case E2M1: return 0x7;
            case E2M3: case E3M2: return 0x1F;
            case E4M3: return 0x7E;
            case E5M2: return 0x7B;
            default: throw new AssertionError(elem);
        }
    }

    private static final float[][] TABLES = new float[ElementFormat.values().length][];

    private static float[] decodeTable(ElementFormat elem) {
        float[] t = TABLES[elem.ordinal()];
        if (t == null) {
            t = new float[256];
            for (int c = 0; c < 256; c++) t[c] = ScalarCodec.decode(elem, c);
            TABLES[elem.ordinal()] = t;
        }
        return t;
    }

    // ---------------------------------------------------------------- section 5

    @Override
    protected float tensorAmax(float[] x, int n) {
        long blocks = (n + 1023) / 1024;
        float[] partial = new float[(int) blocks];
        runBlocks(blocks, 1024, (from, to) -> {
            for (long b = from; b < to; b++) {
                int start = (int) (b * 1024);
                int count = Math.min(1024, n - start);
                int full = count - count % L;
                float m = full > 0 ? amax(x, start, full) : 0f;
                for (int i = start + full; i < start + count; i++) m = Math.max(m, Math.abs(x[i]));
                partial[(int) b] = m;
            }
            return 0;
        });
        float amax = 0f;
        for (float m : partial) amax = Math.max(amax, m);   // max is order-free (contract 1)
        return Float.isFinite(amax) ? amax : Float.NaN;
    }

    @Override
    protected long scaledBlocks(ScaledJob job, long from, long to) {
        if (job.random() != null || SCALED_BLOCK % L != 0) return super.scaledBlocks(job, from, to);
        if (from >= to) return 0;   // no blocks (cols 0: nb is 0 too)
        int nb = job.blocksPerRow();
        int cols = job.cols();
        float[] lut = decodeTable(ElementFormat.E2M1);
        ElementFormat sf = job.scaleFormat();
        float[] scaleLut = decodeTable(sf);
        Minifloat scaleCast = MINIFLOATS[sf.ordinal()];
        byte[] scratch = job.codes() == null ? new byte[SCALED_BLOCK] : null;
        int[] lanes = new int[L];
        long saturated = 0;
        int row = (int) (from / nb);
        int blockInRow = (int) (from % nb);
        for (long t = from; t < to; t++, blockInRow++) {
            if (blockInRow == nb) {   // (row, block) walked along: a long division per block costs more than the block
                blockInRow = 0;
                row++;
            }
            int c0 = blockInRow * SCALED_BLOCK;
            if (c0 + SCALED_BLOCK > cols) {
                saturated += super.scaledBlocks(job, t, t + 1);
                continue;
            }
            int r0 = job.tile16x16() ? row - row % SCALED_BLOCK : row;
            int r1 = job.tile16x16() ? r0 + SCALED_BLOCK : row + 1;
            float amax = 0f;
            for (int r = r0; r < r1; r++) amax = Math.max(amax, amax(job.x(), r * cols + c0, SCALED_BLOCK));
            float d = blockScaleValue(sf, job.encT(), amax);
            int scaleCode = scaleCast != null ? scaleCode(scaleCast, d) : ScalarCodec.encode(sf, d, false);
            job.scales()[(int) t] = (byte) scaleCode;
            float scale = scaleLut[scaleCode];
            float encB = blockEncodeScale(scale, job.decT());
            int first = row * cols + c0;
            byte[] codes = job.codes() != null ? job.codes() : scratch;
            int base = job.codes() != null ? first : 0;
            saturated += encodeVectors(ElementFormat.E2M1, job.x(), first, SCALED_BLOCK, encB, 0f, true, codes, base,
                    job.clipMask(), lanes);
            if (job.dequantized() != null) {
                for (int i = first; i < first + SCALED_BLOCK; i++) {
                    job.dequantized()[i] = (lut[codes[base + i - first] & 0xFF] * scale) * job.decT();
                }
            }
        }
        return saturated;
    }

    /**
     * ScalarCodec.encode(sf, d, false) (RNE) for an unsigned scale format and d in
     * [+0, maxFinite] (what {@link #blockScaleValue} gives for a finite amax), on d's bits
     * like the magnitude code of {@link #encodeVectors}: normal values rounded on their float32 fraction bits
     * (a carry moves to the next binade, and no d at most maxFinite rounds past it),
     * smaller ones on the subnormal grid, where d * 2^(m - emin) is exact and rint is RNE.
     */
    static int scaleCode(Minifloat f, float d) {
        int bits = Float.floatToRawIntBits(d);
        if (bits < f.minNormalBits) return (int) Math.rint(d * f.subnormalScale);
        return ((bits + ((bits >>> f.shift) & 1) + f.halfMinusOne) >>> f.shift) - f.rebias;
    }

    /** The constants of {@link #scaleCode} for UE4M3 or UE5M3 (for tests). */
    static Minifloat scaleCast(ElementFormat sf) { return MINIFLOATS[sf.ordinal()]; }
}
