package io.lowbit.backend;

/**
 * Learned-step-size fake quantization (LSQ and LSQ+), contract section 8.
 *
 * <p>Layout shared by both kernels: {@code x} is {@code [rows, cols]} row-major
 * ({@code n = rows * cols} elements) cut into scale segments of {@code group} consecutive
 * elements of a row (a last, shorter segment of a row is allowed). Segment
 * {@code k = r * ceil(cols / group) + c / group} uses {@code scales[k]} (and {@code offsets[k]}).
 * Per-tensor: {@code rows = 1, group = cols = n}; per-channel: {@code group = cols}.
 *
 * <p>The integer grid is {@code [-qn, qp]}. {@code offsets == null} is plain LSQ; with
 * offsets (LSQ+, learnable beta) the quotient is {@code (x - beta) / s} and {@code beta} is
 * added back after the multiplication by s. Arguments are checked by the public API
 * ({@code scales > 0} and finite, {@code 0 <= qn}, {@code 1 <= qp}, lengths).
 */
public interface QatKernels {
    /** {@code q[i] = clamp(rne((x[i] - beta) / s), -qn, qp) * s (+ beta)} for i &lt; rows * cols. */
    void lsqForward(float[] x, int rows, int cols, int group, float[] scales, float[] offsets,
                    int qn, int qp, float[] q);

    /**
     * {@code dx[i] = g[i]} inside the grid, else 0; {@code ds[k] = gradScale(N_k) * sum g*t} over segment
     * k (canonical pairwise tree, contract 1), {@code N_k} = the segment's element count. With offsets,
     * also {@code dOffsets[k] = gradScale(N_k) * sum g*u}, {@code u = 0} inside, 1 outside.
     */
    void lsqBackward(float[] x, float[] g, int rows, int cols, int group, float[] scales, float[] offsets,
                     int qn, int qp, float[] dx, float[] ds, float[] dOffsets);
}
