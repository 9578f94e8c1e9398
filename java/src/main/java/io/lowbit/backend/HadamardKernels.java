package io.lowbit.backend;

/**
 * Hadamard transforms, contract section 6.
 *
 * <p>The input is {@code rows x cols} floats in row-major order; the transform of size
 * {@code n} is applied to every consecutive block of n elements of each row (so to
 * {@code rows * cols / n} blocks of the flat array, since cols is a multiple of n).
 */
public interface HadamardKernels {
    /**
     * Forward ({@code inverse=false}): {@code y = H(s * x) * c}; inverse: {@code x' = s * (H y) * c},
     * per block of n, with the butterflies in the canonical order of contract section 6.
     * {@code c} is one float32 multiply: {@code (float) (1 / sqrt(n))} when {@code normalize};
     * else nothing for the forward transform and the exact power of two {@code 1/n} for the
     * inverse (so that the unnormalized inverse is a true inverse; project choice, the
     * contract defines only the normalized inverse).
     *
     * @param x         input, at least rows*cols elements
     * @param y         output, at least rows*cols elements; may be the same array as x (in place)
     * @param rows      rows, at least 0
     * @param cols      columns, a multiple of n
     * @param n         transform size, a power of two in 2..32768
     * @param normalize scale by 1/sqrt(n)
     * @param inverse   the inverse transform (signs applied after, not before, the butterflies)
     * @param signs     null for none, else n values each +1 or -1, the same for every block
     */
    void transform(float[] x, float[] y, int rows, int cols, int n,
                   boolean normalize, boolean inverse, float[] signs);
}
