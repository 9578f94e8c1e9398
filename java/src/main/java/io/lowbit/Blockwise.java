package io.lowbit;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Blockwise codebook quantization (contract 7.2) on a backend, split over threads by whole
 * blocks: blocks are independent, so the bits do not depend on the thread count.
 *
 * <pre>{@code
 * Blockwise.Quantized q = Blockwise.on(Backends.get()).quantize(Codebook.DYNAMIC_SIGNED, x, 256);
 * float[] back = Blockwise.on(Backends.get()).dequantize(q);
 * }</pre>
 */
public final class Blockwise {
    public static final int MIN_BLOCK = 64, MAX_BLOCK = 4096;
    /** Below this many elements a tensor is processed on the calling thread. */
    public static final int PARALLEL_THRESHOLD = 1 << 16;

    private final Backend backend;
    private final int threads;

    private Blockwise(Backend backend, int threads) {
        this.backend = backend;
        this.threads = threads;
    }

    public static Blockwise on(Backend backend) {
        return new Blockwise(Checks.notNull("backend", backend), Runtime.getRuntime().availableProcessors());
    }

    public static Blockwise chosen() { return on(Backends.get()); }

    /** The same, split into at most {@code threads} ranges of blocks (1 = the calling thread only). */
    public Blockwise threads(int threads) {
        return new Blockwise(backend, Checks.inRange("threads", threads, 1, 1024));
    }

    public Backend backend() { return backend; }
    public int threads() { return threads; }

    /** A quantized tensor: one absmax per block, one code per element (4-bit: two per byte). */
    public record Quantized(Codebook codebook, int bits, int blockSize, int n, float[] absmax, byte[] codes) {}

    /** Block sizes are powers of two in 64..4096 (bitsandbytes' set). */
    public static int checkBlockSize(int blockSize) {
        if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("blockSize must be a power of two in " + MIN_BLOCK + ".." + MAX_BLOCK + ", got " + blockSize);
        }
        return blockSize;
    }

    public static int blocks(int n, int blockSize) { return (int) ((n + (long) blockSize - 1) / blockSize); }

    /** 7.2 with 8-bit codes (any codebook of up to 256 values). */
    public Quantized quantize(Codebook codebook, float[] x, int blockSize) {
        Checks.notNull("x", x);            // what the allocation needs; quantizeInto checks the rest
        checkBlockSize(blockSize);
        int n = x.length;
        float[] absmax = new float[blocks(n, blockSize)];
        byte[] codes = new byte[n];
        quantizeInto(codebook, x, blockSize, absmax, codes);
        return new Quantized(codebook, 8, blockSize, n, absmax, codes);
    }

    /**
     * {@link #quantize} into arrays the caller owns and may reuse (training code quantizing the
     * same tensor every step saves allocating, and zeroing, the codes each time): absmax gets
     * {@code ceil(x.length / blockSize)} values, codes {@code x.length} (longer arrays are fine;
     * the rest is left as it was).
     */
    public void quantizeInto(Codebook codebook, float[] x, int blockSize, float[] absmax, byte[] codes) {
        Checks.notNull("codebook", codebook);
        Checks.notNull("x", x);
        checkBlockSize(blockSize);
        int n = x.length, nb = blocks(n, blockSize);
        Checks.floats("absmax", absmax, nb);
        Checks.bytes("codes", codes, n);
        forBlocks(n, nb, (b0, b1) -> { backend.blockwise().quantize(codebook, blockSize, x, n, absmax, codes, b0, b1); return 0; });
    }

    /** 7.2 with 4-bit codes packed two per byte, low nibble first (a codebook of at most 16 values). */
    public Quantized quantize4(Codebook codebook, float[] x, int blockSize) {
        Checks.notNull("codebook", codebook);
        Checks.notNull("x", x);
        checkBlockSize(blockSize);
        if (codebook.size() > 16) throw new IllegalArgumentException("codebook must have at most 16 values for 4-bit codes, got " + codebook.size());
        int n = x.length, nb = blocks(n, blockSize);
        float[] absmax = new float[nb];
        byte[] packed = new byte[(n + 1) / 2];
        forBlocks(n, nb, (b0, b1) -> { backend.blockwise().quantize4(codebook, blockSize, x, n, absmax, packed, b0, b1); return 0; });
        return new Quantized(codebook, 4, blockSize, n, absmax, packed);
    }

    public float[] dequantize(Quantized q) {
        Checks.notNull("q", q);
        checkBlockSize(q.blockSize());
        int n = q.n(), nb = blocks(n, q.blockSize());
        Checks.exactLength("q.absmax", q.absmax().length, nb);
        float[] out = new float[n];
        if (q.bits() == 8) {
            Checks.exactLength("q.codes", q.codes().length, n);
            forBlocks(n, nb, (b0, b1) -> { backend.blockwise().dequantize(q.codebook(), q.blockSize(), q.codes(), q.absmax(), n, out, b0, b1); return 0; });
        } else {
            Checks.inRange("q.bits", q.bits(), 4, 4);
            Checks.exactLength("q.codes", q.codes().length, (n + 1) / 2);
            forBlocks(n, nb, (b0, b1) -> { backend.blockwise().dequantize4(q.codebook(), q.blockSize(), q.codes(), q.absmax(), n, out, b0, b1); return 0; });
        }
        return out;
    }

    /** A piece of work over blocks [b0, b1) returning a count (e.g. non-finite gradients). */
    @FunctionalInterface
    public interface BlockRange {
        int run(int blockFrom, int blockTo);
    }

    /** Ranges per thread in {@link #forBlocks}: a thread slowed down (by a neighbour on a shared machine) leaves its later ranges to the others. */
    private static final int RANGES_PER_THREAD = 4;

    /**
     * Runs {@code body} over [0, blocks) split into contiguous ranges ({@value #RANGES_PER_THREAD}
     * per thread), which the calling thread and at most {@code threads - 1} pool threads take in
     * turn, and returns the sum of the counts. Each block is computed alone, so neither the split
     * nor which thread takes a range changes a bit. Small tensors run on the caller.
     */
    public int forBlocks(long elements, int blocks, BlockRange body) {
        int workers = elements < PARALLEL_THRESHOLD ? 1 : Math.min(threads, blocks);
        if (workers <= 1) return body.run(0, blocks);
        int ranges = Math.min(blocks, workers * RANGES_PER_THREAD);
        AtomicInteger next = new AtomicInteger();
        Callable<Integer> worker = () -> {
            int sum = 0;
            for (int r; (r = next.getAndIncrement()) < ranges; ) {
                sum += body.run((int) ((long) blocks * r / ranges), (int) ((long) blocks * (r + 1) / ranges));
            }
            return sum;
        };
        List<ForkJoinTask<Integer>> helpers = new ArrayList<>(workers - 1);
        for (int t = 1; t < workers; t++) helpers.add(ForkJoinPool.commonPool().submit(worker));
        int sum;
        try {
            sum = worker.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);  // BlockRange.run throws no checked exception
        }
        for (ForkJoinTask<Integer> helper : helpers) sum += helper.join();
        return sum;
    }
}
