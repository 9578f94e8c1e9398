package io.lowbit.backend;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.mx.MxPacking;
import io.lowbit.mx.ScaleMode;

/**
 * MX and scaled block quantization, contract sections 4 and 5.
 *
 * <p>Arrays only (a CUDA backend implements the same methods). The input {@code x} is a
 * row-major float32 {@code [rows, cols]}. {@code codes} receives one code per element, in
 * the low bits of a byte, at the element's row-major index (packing, 4.4, is done by the
 * public API, or by the {@code *Packed} methods)). {@code codes}, {@code dequantized} and {@code clipMask} may be null when the
 * caller does not want them (fake quantization keeps no codes). {@code random} null means
 * round to nearest even; otherwise stochastic rounding, element i (row-major index) using
 * word i of {@code random} (contract 3). Arguments are checked by the public API.
 *
 * <p>Saturation (for the straight-through estimator's clipMask, contract 8): an element is
 * saturated when its exact scaled magnitude exceeds the element's largest finite value
 * ({@code |x| * 2^-e > maxElem} for MX, {@code |x * encB| > 6} for scaled), i.e. the cast
 * clipped it. {@code clipMask[i]} is 1 there, else 0. Elements of a NaN block are not
 * counted. Every method returns the number of saturated elements.
 */
public interface MxKernels {

    /**
     * Contract 4. {@code scales}: one E8M0 code per block, row-major over
     * {@code [rows, ceil(cols/blockSize)]} for axis -1, {@code [ceil(rows/blockSize), cols]}
     * for axis 0. A block whose amax is NaN or Inf (or whose exponent exceeds 127) gets scale
     * 0xFF and element codes 0 (lowbit's choice; they decode to NaN through the scale).
     */
    long quantizeMx(ElementFormat elem, int blockSize, int axis, ScaleMode mode, RandomStream random,
                    float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized, byte[] clipMask);

    /** Contract 4.3: {@code out = decode(code) * decode(scale)} (scale 0xFF gives NaN). */
    void dequantizeMx(ElementFormat elem, int blockSize, int axis, byte[] scales, byte[] codes,
                      int rows, int cols, float[] out);

    /**
     * Contract 5: E2M1 elements, block 16 along a row, scale format UE4M3 (NVFP4) or UE5M3,
     * tiles 1x16 or 16x16 ({@code tile16x16}: rows and cols multiples of 16).
     * {@code scales} is {@code [rows, ceil(cols/16)]}; {@code tensorScale[0]} receives decT.
     */
    long quantizeScaled(ElementFormat scaleFormat, boolean tile16x16, RandomStream random,
                        float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                        byte[] clipMask, float[] tensorScale);

    /** Contract 5 step 6: {@code out = (decode(code) * decode(scale)) * decT}. */
    void dequantizeScaled(ElementFormat scaleFormat, float decT, byte[] scales, byte[] codes,
                          int rows, int cols, float[] out);

    /**
     * {@link #quantizeMx} for E2M1 (MXFP4) with what {@code Quantizer.quantize} keeps: the scales
     * and the codes packed two per byte ({@code packedCodes}: {@code rows * ceil(cols/2)} bytes,
     * the layout of {@link MxPacking}, contract 4.4). No dequantized values, clip mask or count.
     * The default quantizes to one code per byte and packs; a backend may write the packed
     * bytes directly (the same bytes).
     */
    default void quantizeMxfp4Packed(int blockSize, int axis, ScaleMode mode, RandomStream random,
                                     float[] x, int rows, int cols, byte[] scales, byte[] packedCodes) {
        byte[] codes = new byte[rows * cols];
        quantizeMx(ElementFormat.E2M1, blockSize, axis, mode, random, x, rows, cols, scales, codes, null, null);
        MxPacking.packInto(4, false, codes, rows, cols, packedCodes);
    }

    /** {@link #quantizeScaled} with packed codes, as {@link #quantizeMxfp4Packed}. */
    default void quantizeScaledPacked(ElementFormat scaleFormat, boolean tile16x16, RandomStream random,
                                      float[] x, int rows, int cols, byte[] scales, byte[] packedCodes,
                                      float[] tensorScale) {
        byte[] codes = new byte[rows * cols];
        quantizeScaled(scaleFormat, tile16x16, random, x, rows, cols, scales, codes, null, null, tensorScale);
        MxPacking.packInto(4, false, codes, rows, cols, packedCodes);
    }
}
