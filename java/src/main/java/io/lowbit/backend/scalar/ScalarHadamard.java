package io.lowbit.backend.scalar;

import io.lowbit.backend.HadamardKernels;

/**
 * Reference Hadamard transforms, contract section 6: one block at a time, one butterfly
 * at a time, in the canonical order. Other backends must produce the same bits.
 */
public class ScalarHadamard implements HadamardKernels {

    @Override
    public void transform(float[] x, float[] y, int rows, int cols, int n,
                          boolean normalize, boolean inverse, float[] signs) {
        long total = (long) rows * cols;
        float scale = scale(n, normalize, inverse);
        for (int base = 0; base < total; base += n) {
            block(x, y, base, n, scale, inverse, signs);
        }
    }

    /**
     * The factor of contract section 6 applied once after the butterflies, or 1 for none:
     * the float32 nearest to 1/sqrt(n) when normalized; the exact 1/n for an unnormalized
     * inverse (see {@link HadamardKernels#transform}).
     */
    public static float scale(int n, boolean normalize, boolean inverse) {
        if (normalize) return (float) (1 / Math.sqrt(n));
        return inverse ? 1f / n : 1f;
    }

    /** One block of n elements starting at {@code base}: x[base..base+n) to y[base..base+n). */
    static void block(float[] x, float[] y, int base, int n, float scale, boolean inverse, float[] signs) {
        // Forward: signs before the butterflies (y = H(s*x)). Multiplying by +-1 is exact.
        for (int i = 0; i < n; i++) {
            y[base + i] = signs != null && !inverse ? signs[i] * x[base + i] : x[base + i];
        }
        butterflies(y, base, n);
        if (scale != 1f) {
            for (int i = 0; i < n; i++) y[base + i] *= scale;
        }
        // Inverse: x = s * (H y) * c. Both factors are single roundings of the same value up to
        // sign (s = +-1 is exact), so their order does not change the bits.
        if (signs != null && inverse) {
            for (int i = 0; i < n; i++) y[base + i] = signs[i] * y[base + i];
        }
    }

    /** The canonical order: h = 1, 2, ..., n/2; pairs (v[j], v[j+h]) with j mod 2h &lt; h. */
    static void butterflies(float[] v, int base, int n) {
        for (int h = 1; h < n; h <<= 1) {
            for (int j = 0; j < n; j++) {
                if ((j & (2 * h - 1)) < h) {
                    float a = v[base + j];
                    float b = v[base + j + h];
                    v[base + j] = a + b;
                    v[base + j + h] = a - b;
                }
            }
        }
    }
}
