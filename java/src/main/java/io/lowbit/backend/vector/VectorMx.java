package io.lowbit.backend.vector;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.scalar.ScalarCodec;
import io.lowbit.backend.scalar.ScalarMx;
import io.lowbit.mx.ScaleMode;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>What {@code Quantizer.quantize} runs for E2M1 (MXFP4, NVFP4, UE5M3) are the packed kernels
 * ({@link #quantizeMxfp4Packed}, {@link #quantizeScaledPacked}): the same codes written two per
 * byte in the one pass, without clip flags or counts; NVFP4's element code is the MXFP4
 * encoder applied to the rounded product (proof at {@link #nvfp4PackedBlocks}).
 *
 * <p>Threads take tasks of whole blocks (about {@code elementsPerTask} elements each) from
 * a counter; each block depends only on the input, and random words only on the element
 * index, so no result depends on the thread count or on which thread ran a task.
 */
public class VectorMx extends ScalarMx {
    /*
     * At most 256-bit vectors: the NVFP4 kernel takes two 16-element blocks per 8-lane vector
     * step (with 512-bit vectors it would fall back to the scalar loop), and VectorCasts uses
     * 256 bits too (one shape per element type, see docs/vector-api-notes.md).
     */
    private static final VectorSpecies<Float> FS =
            FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256 ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256
            ? IntVector.SPECIES_256 : IntVector.SPECIES_PREFERRED;
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

    // ---------------------------------------------------------------- packed E2M1 (4.4)

    @Override
    public void quantizeMxfp4Packed(int blockSize, int axis, ScaleMode mode, RandomStream random,
                                    float[] x, int rows, int cols, byte[] scales, byte[] packedCodes) {
        if (random != null || axis != -1 || blockSize % L != 0 || BS == null) {
            super.quantizeMxfp4Packed(blockSize, axis, mode, random, x, rows, cols, scales, packedCodes);
            return;
        }
        MxJob job = new MxJob(ElementFormat.E2M1, blockSize, axis, mode, null, x, rows, cols, scales, null, null, null);
        runBlocks(job.blockCount(), blockSize, (from, to) -> mxfp4PackedBlocks(job, packedCodes, from, to));
    }

    /**
     * {@link #mxfp4Blocks} writing the codes packed (contract 4.4): element 2j of a row in the low
     * nibble of the row's byte j. Two steps, so that no vector has to be split and reordered
     * across lanes (a {@code rearrange} on JDK 17 is a cross-lane permute plus an index check per
     * call): the codes of a run of blocks along a row go one byte each into a small scratch array
     * (the int lanes' low bytes: the fma results are 2^23 + code, whose low byte is the code, and
     * the sign bit is or-ed in as bit 3), then {@link #packCodes} joins neighbouring bytes. A
     * block starts on an even column (the block size is even), so a run fills whole bytes from
     * {@code row * ceil(cols/2) + col/2}. No clip flags or count (the packed result keeps none).
     * Other blocks: {@link #packedFallback}, after the run before them is written.
     */
    private long mxfp4PackedBlocks(MxJob job, byte[] packed, long from, long to) {
        if (from >= to) return 0;   // no blocks (cols 0: nb is 0 too)
        int bs = job.blockSize();
        int nb = job.blocksPerLine();
        int cols = job.cols();
        int rowBytes = (cols + 1) >>> 1;
        boolean floor = job.mode() == ScaleMode.FLOOR;
        float[] x = job.x();
        byte[] scales = job.scales();
        byte[] codes = new byte[Math.max(RUN_CODES, bs)];   // a run's codes, flushed when full
        int runLength = 0;
        int runAt = 0;   // where the run's first packed byte goes
        int row = (int) (from / nb);
        int blockInRow = (int) (from % nb);
        for (long t = from; t < to; t++, blockInRow++) {
            if (blockInRow == nb) {
                blockInRow = 0;
                row++;
                packCodes(codes, runLength, packed, runAt);
                runLength = 0;
            }
            int col = blockInRow * bs;
            int first = row * cols + col;
            if (col + bs > cols) {
                packCodes(codes, runLength, packed, runAt);
                runLength = 0;
                packedFallback(job, packed, t, row, col);
                continue;
            }
            IntVector m = IntVector.zero(IS);
            for (int i = first; i < first + bs; i += L) {
                m = m.max(FloatVector.fromArray(FS, x, i).reinterpretAsInts().and(0x7FFFFFFF));
            }
            int amaxBits = m.reduceLanes(VectorOperators.MAX);
            int e;
            if (floor) {
                e = (amaxBits >>> 23) - 127 - 2;
                if (amaxBits < 0x00800000) e = NAN_SCALE;
            } else {
                e = scaleExponent(ElementFormat.E2M1, job.mode(), Float.intBitsToFloat(amaxBits));
            }
            if (e < E2M1_MIN_EXPONENT || e > 125) {
                packCodes(codes, runLength, packed, runAt);
                runLength = 0;
                packedFallback(job, packed, t, row, col);
                continue;
            }
            if (runLength + bs > codes.length) {   // the scratch is full
                packCodes(codes, runLength, packed, runAt);
                runLength = 0;
            }
            if (runLength == 0) runAt = row * rowBytes + (col >>> 1);
            scales[(int) t] = (byte) scaleCode(e);
            FloatVector twice = IntVector.broadcast(IS, (128 - e) << 23).reinterpretAsFloats();
            FloatVector once = IntVector.broadcast(IS, (127 - e) << 23).reinterpretAsFloats();
            FloatVector half = IntVector.broadcast(IS, (126 - e) << 23).reinterpretAsFloats();
            for (int i = first, k = runLength; i < first + bs; i += L, k += L) {
                // encodeE2M1's code in the low byte (the rest is 2^23's bits), sign in bit 3
                IntVector xi = FloatVector.fromArray(FS, x, i).reinterpretAsInts();
                FloatVector a = xi.and(0x7FFFFFFF).reinterpretAsFloats();
                IntVector code = a.fma(twice, FloatVector.broadcast(FS, TWO23)).reinterpretAsInts()
                        .min(a.fma(once, FloatVector.broadcast(FS, TWO23_PLUS_2)).reinterpretAsInts())
                        .min(a.fma(half, FloatVector.broadcast(FS, TWO23_PLUS_4)).reinterpretAsInts())
                        .min(TWO23_PLUS_7_BITS)
                        .or(xi.lanewise(VectorOperators.LSHR, 28).and(8));
                ((ByteVector) code.castShape(BS, 0)).intoArray(codes, k);
            }
            runLength += bs;
        }
        packCodes(codes, runLength, packed, runAt);
        return 0;
    }

    /** Codes a packed run holds at most: 4 KiB of scratch, in L1 while the run is packed. */
    private static final int RUN_CODES = 4096;
    /** 2L codes in, L packed bytes out: the out vectors have {@link #BS}'s shape, see {@link #packCodes}. */
    private static final VectorSpecies<Byte> CODES_IN = BS == null ? null : VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 16));

    /**
     * Codes {@code codes[0 .. count)} (0..15 each, count even) two per byte into {@code packed[at ..]},
     * element 2j's in the low nibble (4.4): a pair of bytes read as one little-endian short
     * {@code s = lo | hi << 8} gives {@code lo | hi << 4} in the low byte of {@code s | s >>> 4},
     * which the narrowing cast keeps. The packed bytes are stored as {@link #BS} vectors, like
     * every other byte store here: {@code ByteVector.intoArray} is one method for all shapes,
     * and once its type profile has seen two shapes, JDK 17's C2 sometimes compiles the store
     * without its intrinsic (boxed vectors, twice the time; seen in 1 JVM start out of 8).
     */
    static void packCodes(byte[] codes, int count, byte[] packed, int at) {
        int step = CODES_IN.length();
        int k = 0;
        for (; k + step <= count; k += step, at += step / 2) {
            ShortVector s = ByteVector.fromArray(CODES_IN, codes, k).reinterpretAsShorts();
            ((ByteVector) s.or(s.lanewise(VectorOperators.LSHR, 4)).castShape(BS, 0)).intoArray(packed, at);
        }
        for (; k < count; k += 2) packed[at++] = (byte) (codes[k] | codes[k + 1] << 4);
    }

    /**
     * A block the packed MXFP4 kernel does not take (a short last block of a row, NaN or Inf,
     * a scale exponent outside -126..125): {@link #mxBlocks} on a copy of the block as a one-row
     * job, then its codes packed into place. Each block depends only on its own elements (and RNE
     * on nothing else), so this is the block's result in the full tensor.
     */
    private void packedFallback(MxJob job, byte[] packed, long t, int row, int col) {
        int bs = job.blockSize();
        int count = Math.min(bs, job.cols() - col);
        float[] block = Arrays.copyOfRange(job.x(), row * job.cols() + col, row * job.cols() + col + count);
        byte[] codes = new byte[count];
        byte[] scale = new byte[1];
        mxBlocks(new MxJob(ElementFormat.E2M1, bs, -1, job.mode(), null, block, 1, count, scale, codes, null, null), 0, 1);
        job.scales()[(int) t] = scale[0];
        packNibbles(codes, count, packed, row * ((job.cols() + 1) >>> 1) + (col >>> 1));
    }

    /** Codes {@code 0 .. count} two per byte from {@code packed[at]}, low nibble first (4.4). */
    private static void packNibbles(byte[] codes, int count, byte[] packed, int at) {
        for (int k = 0; k < count; k += 2) {
            int high = k + 1 < count ? codes[k + 1] & 0xF : 0;
            packed[at + (k >> 1)] = (byte) ((codes[k] & 0xF) | high << 4);
        }
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

    /** Elements per chunk of {@link #tensorAmax}: one reduction each. */
    private static final int AMAX_CHUNK = 1 << 14;

    /**
     * Step 1 over chunks on the threads: integer max of the magnitude bits with four
     * accumulators (see {@link #amax}; a NaN's bits are above Inf's, Inf's above every finite).
     */
    @Override
    protected float tensorAmax(float[] x, int n) {
        long chunks = (n + AMAX_CHUNK - 1) / AMAX_CHUNK;
        int[] partial = new int[(int) chunks];
        runBlocks(chunks, AMAX_CHUNK, (from, to) -> {
            for (long c = from; c < to; c++) {
                int start = (int) (c * AMAX_CHUNK);
                int end = Math.min(n, start + AMAX_CHUNK);
                IntVector m0 = IntVector.zero(IS), m1 = m0, m2 = m0, m3 = m0;
                int i = start;
                for (; i <= end - 4 * L; i += 4 * L) {
                    m0 = m0.max(FloatVector.fromArray(FS, x, i).reinterpretAsInts().and(0x7FFFFFFF));
                    m1 = m1.max(FloatVector.fromArray(FS, x, i + L).reinterpretAsInts().and(0x7FFFFFFF));
                    m2 = m2.max(FloatVector.fromArray(FS, x, i + 2 * L).reinterpretAsInts().and(0x7FFFFFFF));
                    m3 = m3.max(FloatVector.fromArray(FS, x, i + 3 * L).reinterpretAsInts().and(0x7FFFFFFF));
                }
                int m = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
                for (; i < end; i++) m = Math.max(m, Float.floatToRawIntBits(x[i]) & 0x7FFFFFFF);
                partial[(int) c] = m;
            }
            return 0;
        });
        int amaxBits = 0;
        for (int m : partial) amaxBits = Math.max(amaxBits, m);   // max is order-free (contract 1)
        return amaxBits >= 0x7F800000 ? Float.NaN : Float.intBitsToFloat(amaxBits);
    }

    @Override
    public void quantizeScaledPacked(ElementFormat scaleFormat, boolean tile16x16, RandomStream random,
                                     float[] x, int rows, int cols, byte[] scales, byte[] packedCodes,
                                     float[] tensorScale) {
        if (random != null || tile16x16 || SCALED_BLOCK != 2 * L || BS == null) {
            super.quantizeScaledPacked(scaleFormat, tile16x16, random, x, rows, cols, scales, packedCodes, tensorScale);
            return;
        }
        ScaledJob job = scaledJob(scaleFormat, tile16x16, null, x, rows, cols, scales, null, null, null, tensorScale);
        if (job == null) {   // NaN tensor: every element code 0
            Arrays.fill(packedCodes, 0, rows * ((cols + 1) >>> 1), (byte) 0);
            return;
        }
        float[] encodeScales = blockEncodeScales(job);
        runBlocks(job.blockCount(), SCALED_BLOCK, (from, to) -> nvfp4PackedBlocks(job, encodeScales, packedCodes, from, to));
    }

    /**
     * One 1x16 block of {@link #nvfp4PackedBlocks} by the reference, on a one-row copy with the
     * tensor's encT and decT (a block depends on nothing else), its codes packed into place.
     */
    private void scaledFallback(ScaledJob job, byte[] packed, long t, int row, int c0) {
        int count = Math.min(SCALED_BLOCK, job.cols() - c0);
        int first = row * job.cols() + c0;
        float[] block = Arrays.copyOfRange(job.x(), first, first + count);
        byte[] codes = new byte[count];
        byte[] scale = new byte[1];
        super.scaledBlocks(new ScaledJob(job.scaleFormat(), false, null, block, 1, count, scale, codes, null, null,
                job.encT(), job.decT()), 0, 1);
        job.scales()[(int) t] = scale[0];
        packNibbles(codes, count, packed, row * ((job.cols() + 1) >>> 1) + (c0 >>> 1));
    }

    /** Step 4's encB for every scale code (the same float32 operations, once per code, not per block). */
    private static float[] blockEncodeScales(ScaledJob job) {
        float[] scaleLut = decodeTable(job.scaleFormat());
        float[] encB = new float[256];
        for (int c = 0; c < 256; c++) encB[c] = blockEncodeScale(scaleLut[c], job.decT());
        return encB;
    }

    /**
     * Steps 3-5 for whole 16-blocks (RNE, SCALED_BLOCK = 2L), codes packed as in
     * {@link #mxfp4PackedBlocks}. The element code is {@link #encodeE2M1}'s on the rounded
     * product: with p = |x * encB| (float32; RNE is sign-symmetric, so this is |x| * encB rounded)
     * the contract's magnitude code is E2M1(min(p, 6)), and that is
     * {@code min(rint(2p), 2 + rint(p), 4 + rint(p/2), 7)}: for p <= 6 it is the MXFP4 identity
     * with v = p (each rint one fma or add of 2^23 + an even integer: 2p and p/2 exact inside the
     * fma, one RNE rounding of the sum); for p > 6, Inf included, 4 + rint(p/2) >= 7 and the other
     * two terms are larger, so the min is 7 = E2M1(6), the clamp's code. encB is positive (decT is
     * positive and scale * decT finite, so 1/(scale * decT) is positive, +Inf for scale 0, capped at
     * FLT_MAX), so the product's sign is x's, -0 included: bit 3 from x's sign bit as in MXFP4.
     * Blocks go in pairs of a row (see below); a short block, or a full one without a partner in
     * its row or task, goes to {@link #scaledFallback}. Tiles 16x16 take the default route. The
     * method holds nothing else: a larger one has been seen compiled with its vector operations
     * left out of line (boxed, 50-200 MB allocated per call under JMH).
     */
    private long nvfp4PackedBlocks(ScaledJob job, float[] encodeScales, byte[] packed, long from, long to) {
        if (from >= to) return 0;   // no blocks (cols 0: nb is 0 too)
        int nb = job.blocksPerRow();
        int cols = job.cols();
        int rowBytes = (cols + 1) >>> 1;
        float[] x = job.x();
        byte[] scales = job.scales();
        ElementFormat sf = job.scaleFormat();
        Minifloat scaleCast = MINIFLOATS[sf.ordinal()];
        byte[] codes = new byte[RUN_CODES];   // a run's codes, as in mxfp4PackedBlocks
        int runLength = 0;
        int runAt = 0;
        int row = (int) (from / nb);
        int blockInRow = (int) (from % nb);
        for (long t = from; t < to; t++, blockInRow++) {
            if (blockInRow == nb) {
                blockInRow = 0;
                row++;
                packCodes(codes, runLength, packed, runAt);
                runLength = 0;
            }
            int c0 = blockInRow * SCALED_BLOCK;
            int first = row * cols + c0;
            if (t + 1 >= to || c0 + 2 * SCALED_BLOCK > cols) {   // a short block, or a full one without a partner
                packCodes(codes, runLength, packed, runAt);
                runLength = 0;
                scaledFallback(job, packed, t, row, c0);
                continue;
            }
            if (runLength + 2 * SCALED_BLOCK > codes.length) {   // the scratch is full
                packCodes(codes, runLength, packed, runAt);
                runLength = 0;
            }
            if (runLength == 0) runAt = row * rowBytes + (c0 >>> 1);
            // Two blocks of the row at once: their scale chains (lane reduction, cast, table, broadcast)
            // are independent, and side by side in the code they overlap.
            int first2 = first + SCALED_BLOCK;
            int amax1 = FloatVector.fromArray(FS, x, first).reinterpretAsInts().and(0x7FFFFFFF)
                    .max(FloatVector.fromArray(FS, x, first + L).reinterpretAsInts().and(0x7FFFFFFF))
                    .reduceLanes(VectorOperators.MAX);
            int amax2 = FloatVector.fromArray(FS, x, first2).reinterpretAsInts().and(0x7FFFFFFF)
                    .max(FloatVector.fromArray(FS, x, first2 + L).reinterpretAsInts().and(0x7FFFFFFF))
                    .reduceLanes(VectorOperators.MAX);
            // No vector is live across these calls (if the JIT left one out of line, a live vector would be
            // boxed: seen in JMH as 200 MB allocated per call); the block is loaded again, from L1.
            int code1 = scaleCode(scaleCast, blockScaleValue(sf, job.encT(), Float.intBitsToFloat(amax1)));
            int code2 = scaleCode(scaleCast, blockScaleValue(sf, job.encT(), Float.intBitsToFloat(amax2)));
            scales[(int) t] = (byte) code1;
            scales[(int) t + 1] = (byte) code2;
            for (int k = 0; k < 4; k++) {
                // the code in the int lanes' low byte, sign in bit 3, as in mxfp4PackedBlocks
                IntVector xi = FloatVector.fromArray(FS, x, first + k * L).reinterpretAsInts();
                FloatVector p = xi.and(0x7FFFFFFF).reinterpretAsFloats()
                        .mul(FloatVector.broadcast(FS, encodeScales[k < 2 ? code1 : code2]));
                IntVector code = p.fma(FloatVector.broadcast(FS, 2f), FloatVector.broadcast(FS, TWO23)).reinterpretAsInts()
                        .min(p.add(FloatVector.broadcast(FS, TWO23_PLUS_2)).reinterpretAsInts())
                        .min(p.fma(FloatVector.broadcast(FS, 0.5f), FloatVector.broadcast(FS, TWO23_PLUS_4)).reinterpretAsInts())
                        .min(TWO23_PLUS_7_BITS)
                        .or(xi.lanewise(VectorOperators.LSHR, 28).and(8));
                ((ByteVector) code.castShape(BS, 0)).intoArray(codes, runLength + k * L);
            }
            runLength += 2 * SCALED_BLOCK;
            t++;   // the second block's
            blockInRow++;
        }
        packCodes(codes, runLength, packed, runAt);
        return 0;
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
