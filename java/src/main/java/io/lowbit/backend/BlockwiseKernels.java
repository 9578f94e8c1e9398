package io.lowbit.backend;

import io.lowbit.Codebook;

/**
 * Blockwise quantization with codebooks and the fused optimizer steps, contract section 7.
 *
 * <p>Every method works on the blocks {@code [blockFrom, blockTo)} of a tensor of {@code n}
 * elements (block b holds elements {@code [b*blockSize, min(n, (b+1)*blockSize))}), so that a
 * caller may split a tensor over threads; blocks are independent, so the result does not depend
 * on the split. 32-bit variants take element ranges {@code [from, to)}.
 *
 * <p>8-bit codes are one per byte. 4-bit codes are packed two per byte, element 2j in the low
 * nibble of byte j (as contract 4.4); 4-bit block sizes are even, so a block never shares a byte.
 *
 * <p>Optimizer steps return the number of elements whose gradient was NaN or Inf (7.3 step 1).
 */
public interface BlockwiseKernels {
    /** 7.2: absmax per block and one code per element. */
    void quantize(Codebook codebook, int blockSize, float[] x, int n, float[] absmax, byte[] codes, int blockFrom, int blockTo);

    /** 7.2: {@code out[i] = c[code[i]] * absmax[block]}. */
    void dequantize(Codebook codebook, int blockSize, byte[] codes, float[] absmax, int n, float[] out, int blockFrom, int blockTo);

    /** 7.2 with 4-bit codes packed two per byte. */
    void quantize4(Codebook codebook, int blockSize, float[] x, int n, float[] absmax, byte[] packed, int blockFrom, int blockTo);

    void dequantize4(Codebook codebook, int blockSize, byte[] packed, float[] absmax, int n, float[] out, int blockFrom, int blockTo);

    /** 7.3 with 8-bit states: m with {@code mBook} (dynamic-signed), v with {@code vBook} (dynamic-unsigned). */
    int adamw8(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
               byte[] mCodes, float[] mAbsmax, byte[] vCodes, float[] vAbsmax, int n, int blockFrom, int blockTo);

    /** 7.3, 32-bit states. */
    int adamw32(AdamWScalars s, float[] p, float[] g, float[] m, float[] v, int from, int to);

    /** 7.3 with 4-bit packed states (torchao AdamW4bit: m dynamic-signed-4, v linear4). */
    int adamw4(AdamWScalars s, Codebook mBook, Codebook vBook, int blockSize, float[] p, float[] g,
               byte[] mPacked, float[] mAbsmax, byte[] vPacked, float[] vAbsmax, int n, int blockFrom, int blockTo);

    /** SGD with momentum, 8-bit momentum buffer (docs/numerics-optim.md). */
    int sgd8(SgdScalars s, Codebook book, int blockSize, float[] p, float[] g, byte[] bufCodes, float[] bufAbsmax,
             int n, int blockFrom, int blockTo);

    int sgd32(SgdScalars s, float[] p, float[] g, float[] buf, int from, int to);

    /** Lion, 8-bit momentum (docs/numerics-optim.md). */
    int lion8(LionScalars s, Codebook book, int blockSize, float[] p, float[] g, byte[] mCodes, float[] mAbsmax,
              int n, int blockFrom, int blockTo);

    int lion32(LionScalars s, float[] p, float[] g, float[] m, int from, int to);
}
