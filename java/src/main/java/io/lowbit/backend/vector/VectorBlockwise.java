package io.lowbit.backend.vector;

import io.lowbit.backend.scalar.ScalarBlockwise;

/**
 * Blockwise kernels with a table-driven nearest-code search: the top 16 bits of v index
 * {@link io.lowbit.Codebook#searchStarts()}, then at most a few midpoint compares finish the
 * count. Same codes as the reference binary search, bit for bit (tested); everything else is
 * the reference.
 */
public final class VectorBlockwise extends ScalarBlockwise {
    @Override
    protected int code(io.lowbit.Codebook book, float v) {
        if (v != v) return 0;  // NaN: below no midpoint
        float[] mids = book.midpointsUnsafe();
        int c = book.searchStarts()[Float.floatToRawIntBits(v) >>> 16] & 0xFF;
        while (c < mids.length && mids[c] < v) c++;
        return c;
    }
}
