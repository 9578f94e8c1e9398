package io.lowbit.backend.scalar;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.LionScalars;
import io.lowbit.backend.SgdScalars;

/**
 * Reference blockwise quantization and fused optimizer steps, contract section 7 and
 * docs/numerics-optim.md. Each 8-/4-bit step dequantizes one block into float32 scratch,
 * runs the same element update as the 32-bit step on it, and requantizes it (7.3 step 4).
 */
public class ScalarBlockwise implements BlockwiseKernels {

    /**
     * 7.2: the number of midpoints strictly below v (ties go to the lower code), by binary
     * search. A NaN v is below no midpoint: code 0.
     */
    public static int nearestCode(float[] midpoints, float v) {
        int lo = 0, hi = midpoints.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (midpoints[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /** The code of a normalized value v (7.2); fast backends override the search, not the rule. */
    protected int code(Codebook book, float v) { return nearestCode(book.midpointsUnsafe(), v); }

    /** 7.2 absmax: max |x|, NaN if any element is NaN. */
    static float absmax(float[] x, int from, int to) {
        float a = 0f;
        for (int i = from; i < to; i++) {
            float ax = Math.abs(x[i]);
            if (ax != ax) return Float.NaN;
            if (ax > a) a = ax;
        }
        return a;
    }

    /** Scaled and clamped value of 7.2; NaN stays NaN. */
    static float normalized(float x, float divisor) {
        float v = x / divisor;
        if (v > 1f) return 1f;
        if (v < -1f) return -1f;
        return v;
    }

    /** Quantizes x[from..to) (one block) into codes[codeFrom..], returns the block's absmax. */
    private float quantizeBlock(Codebook book, float[] x, int from, int to, byte[] codes, int codeFrom, boolean packed) {
        float amax = blockAbsmax(x, from, to);
        float divisor = Math.max(amax, 1e-38f);  // Math.max keeps a NaN absmax
        if (!packed) {
            encode8(book, x, from, to, divisor, codes, codeFrom);
            return amax;
        }
        for (int i = from; i < to; i++) {
            int c = code(book, normalized(x[i], divisor));
            int j = codeFrom + (i - from);
            if ((j & 1) == 0) {
                codes[j >> 1] = (byte) ((codes[j >> 1] & 0xF0) | c);
            } else {
                codes[j >> 1] = (byte) ((codes[j >> 1] & 0x0F) | (c << 4));
            }
        }
        return amax;
    }

    /** 7.2 absmax of x[from..to); fast backends may override (same result). */
    protected float blockAbsmax(float[] x, int from, int to) { return absmax(x, from, to); }

    /** One code per byte for x[from..to) scaled by 1/divisor; fast backends may override (same codes). */
    protected void encode8(Codebook book, float[] x, int from, int to, float divisor, byte[] codes, int codeFrom) {
        for (int i = from; i < to; i++) codes[codeFrom + (i - from)] = (byte) code(book, normalized(x[i], divisor));
    }

    private static void dequantizeBlock(Codebook book, byte[] codes, int codeFrom, float amax, float[] out, int from, int to, boolean packed) {
        float[] c = book.valuesUnsafe();
        for (int i = from; i < to; i++) {
            int j = codeFrom + (i - from);
            int code = packed ? (codes[j >> 1] >> ((j & 1) << 2)) & 0xF : codes[j] & 0xFF;
            out[i] = c[code] * amax;
        }
    }

    @Override
    public void quantize(Codebook book, int blockSize, float[] x, int n, float[] absmax, byte[] codes, int blockFrom, int blockTo) {
        quantizeBlocks(book, blockSize, x, n, absmax, codes, blockFrom, blockTo, false);
    }

    @Override
    public void dequantize(Codebook book, int blockSize, byte[] codes, float[] absmax, int n, float[] out, int blockFrom, int blockTo) {
        dequantizeBlocks(book, blockSize, codes, absmax, n, out, blockFrom, blockTo, false);
    }

    @Override
    public void quantize4(Codebook book, int blockSize, float[] x, int n, float[] absmax, byte[] packed, int blockFrom, int blockTo) {
        quantizeBlocks(book, blockSize, x, n, absmax, packed, blockFrom, blockTo, true);
    }

    @Override
    public void dequantize4(Codebook book, int blockSize, byte[] packed, float[] absmax, int n, float[] out, int blockFrom, int blockTo) {
        dequantizeBlocks(book, blockSize, packed, absmax, n, out, blockFrom, blockTo, true);
    }

    /** Blocks [blockFrom, blockTo) of x, one code per byte or ({@code packed}) two per byte. */
    private void quantizeBlocks(Codebook book, int blockSize, float[] x, int n, float[] absmax, byte[] codes,
                                int blockFrom, int blockTo, boolean packed) {
        for (int b = blockFrom; b < blockTo; b++) {
            int from = b * blockSize, to = Math.min(n, from + blockSize);
            absmax[b] = quantizeBlock(book, x, from, to, codes, from, packed);
        }
    }

    private static void dequantizeBlocks(Codebook book, int blockSize, byte[] codes, float[] absmax, int n, float[] out,
                                  int blockFrom, int blockTo, boolean packed) {
        for (int b = blockFrom; b < blockTo; b++) {
            int from = b * blockSize, to = Math.min(n, from + blockSize);
            dequantizeBlock(book, codes, from, absmax[b], out, from, to, packed);
        }
    }

    // ---- element updates shared by the 32-bit steps and the blockwise ones ----
    // p and g are indexed [pFrom, pFrom+len); the states [sFrom, sFrom+len).

    /** 7.3 steps 1-3 in float32, in the contract's order. */
    static int adamwElements(AdamWScalars s, float[] p, float[] g, int pFrom, float[] m, float[] v, int sFrom, int len) {
        int bad = 0;
        for (int k = 0; k < len; k++) {
            int i = pFrom + k, j = sFrom + k;
            float gi = g[i];
            if (!Float.isFinite(gi)) {
                m[j] = 0f;
                v[j] = 0f;
                bad++;
                continue;
            }
            float mj = s.b1() * m[j] + s.a1() * gi;
            float vj = s.b2() * v[j] + s.a2() * (gi * gi);
            m[j] = mj;
            v[j] = vj;
            float pi = p[i] * s.decay();
            p[i] = pi - s.stepSize() * (mj / ((float) Math.sqrt(vj) / s.bc2s() + s.eps()));
        }
        return bad;
    }

    /** SGD momentum (docs/numerics-optim.md): d = g + wd*p; buf = mu*buf + d; p = p - lr*buf. */
    static int sgdElements(SgdScalars s, float[] p, float[] g, int pFrom, float[] buf, int sFrom, int len) {
        int bad = 0;
        for (int k = 0; k < len; k++) {
            int i = pFrom + k, j = sFrom + k;
            float gi = g[i];
            if (!Float.isFinite(gi)) {
                buf[j] = 0f;
                bad++;
                continue;
            }
            float d = gi + s.weightDecay() * p[i];
            float b = s.momentum() * buf[j] + d;
            buf[j] = b;
            p[i] = p[i] - s.lr() * b;
        }
        return bad;
    }

    /** Lion (docs/numerics-optim.md): c = b1*m + a1*g; p = p*decay - lr*sign(c); m = b2*m + a2*g. */
    static int lionElements(LionScalars s, float[] p, float[] g, int pFrom, float[] m, int sFrom, int len) {
        int bad = 0;
        for (int k = 0; k < len; k++) {
            int i = pFrom + k, j = sFrom + k;
            float gi = g[i];
            if (!Float.isFinite(gi)) {
                m[j] = 0f;
                bad++;
                continue;
            }
            float c = s.b1() * m[j] + s.a1() * gi;
            float pi = p[i] * s.decay();
            p[i] = pi - s.lr() * Math.signum(c);
            m[j] = s.b2() * m[j] + s.a2() * gi;
        }
        return bad;
    }

    /** The element update of AdamW; fast backends may override (same bits). */
    protected int adamwUpdate(AdamWScalars s, float[] p, float[] g, int pFrom, float[] m, float[] v, int sFrom, int len) {
        return adamwElements(s, p, g, pFrom, m, v, sFrom, len);
    }

    /** The element update of SGD momentum; fast backends may override (same bits). */
    protected int sgdUpdate(SgdScalars s, float[] p, float[] g, int pFrom, float[] buf, int sFrom, int len) {
        return sgdElements(s, p, g, pFrom, buf, sFrom, len);
    }

    /** The element update of Lion; fast backends may override (same bits). */
    protected int lionUpdate(LionScalars s, float[] p, float[] g, int pFrom, float[] m, int sFrom, int len) {
        return lionElements(s, p, g, pFrom, m, sFrom, len);
    }

    @Override
    public int adamw32(AdamWScalars s, float[] p, float[] g, float[] m, float[] v, int from, int to) {
        return adamwUpdate(s, p, g, from, m, v, from, to - from);
    }

    @Override
    public int sgd32(SgdScalars s, float[] p, float[] g, float[] buf, int from, int to) {
        return sgdUpdate(s, p, g, from, buf, from, to - from);
    }

    @Override
    public int lion32(LionScalars s, float[] p, float[] g, float[] m, int from, int to) {
        return lionUpdate(s, p, g, from, m, from, to - from);
    }

    @Override
    public int adamw8(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
                      byte[] mCodes, float[] mAbsmax, byte[] vCodes, float[] vAbsmax, int n, int blockFrom, int blockTo) {
        return adamwBlocks(s, mBook, vBook, blockSize, p, g, mCodes, mAbsmax, vCodes, vAbsmax, n, blockFrom, blockTo, false);
    }

    @Override
    public int adamw4(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
                      byte[] mPacked, float[] mAbsmax, byte[] vPacked, float[] vAbsmax, int n, int blockFrom, int blockTo) {
        return adamwBlocks(s, mBook, vBook, blockSize, p, g, mPacked, mAbsmax, vPacked, vAbsmax, n, blockFrom, blockTo, true);
    }

    private int adamwBlocks(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
                            byte[] mCodes, float[] mAbsmax, byte[] vCodes, float[] vAbsmax, int n, int blockFrom, int blockTo,
                            boolean packed) {
        float[] m = new float[blockSize], v = new float[blockSize];
        int bad = 0;
        for (int b = blockFrom; b < blockTo; b++) {
            int from = b * blockSize, len = Math.min(n, from + blockSize) - from;
            dequantizeBlock(mBook, mCodes, from, mAbsmax[b], m, 0, len, packed);
            dequantizeBlock(vBook, vCodes, from, vAbsmax[b], v, 0, len, packed);
            bad += adamwUpdate(s, p, g, from, m, v, 0, len);
            mAbsmax[b] = quantizeBlock(mBook, m, 0, len, mCodes, from, packed);
            vAbsmax[b] = quantizeBlock(vBook, v, 0, len, vCodes, from, packed);
        }
        return bad;
    }

    @Override
    public int sgd8(SgdScalars s, Codebook book, int blockSize, float[] p, float[] g, byte[] bufCodes, float[] bufAbsmax,
                    int n, int blockFrom, int blockTo) {
        return oneStateBlocks(book, blockSize, p, g, bufCodes, bufAbsmax, n, blockFrom, blockTo,
                (pp, gg, pFrom, buf, sFrom, len) -> sgdUpdate(s, pp, gg, pFrom, buf, sFrom, len));
    }

    @Override
    public int lion8(LionScalars s, Codebook book, int blockSize, float[] p, float[] g, byte[] mCodes, float[] mAbsmax,
                     int n, int blockFrom, int blockTo) {
        return oneStateBlocks(book, blockSize, p, g, mCodes, mAbsmax, n, blockFrom, blockTo,
                (pp, gg, pFrom, m, sFrom, len) -> lionUpdate(s, pp, gg, pFrom, m, sFrom, len));
    }

    /** The element update of an optimizer with one state tensor ({@link #sgdUpdate}, {@link #lionUpdate}). */
    private interface OneStateUpdate {
        int apply(float[] p, float[] g, int pFrom, float[] state, int sFrom, int len);
    }

    /** Per block: dequantize the state, update its elements, requantize (8-bit, one state). */
    private int oneStateBlocks(Codebook book, int blockSize, float[] p, float[] g, byte[] codes, float[] absmax,
                               int n, int blockFrom, int blockTo, OneStateUpdate update) {
        float[] state = new float[blockSize];
        int bad = 0;
        for (int b = blockFrom; b < blockTo; b++) {
            int from = b * blockSize, len = Math.min(n, from + blockSize) - from;
            dequantizeBlock(book, codes, from, absmax[b], state, 0, len, false);
            bad += update.apply(p, g, from, state, 0, len);
            absmax[b] = quantizeBlock(book, state, 0, len, codes, from, false);
        }
        return bad;
    }
}
