package io.lowbit.backend.scalar;

import io.lowbit.backend.QatKernels;

/**
 * Reference learned-step-size fake quantization, contract section 8, one element at a time.
 *
 * <p>Readings of the contract fixed here (every backend makes the same choice):
 * <ul>
 *   <li>{@code rne} rounds the float32 quotient half to even and keeps the sign of zero;
 *   <li>{@code clamp(r, lo, hi)} is {@code r < lo ? lo : r > hi ? hi : r}: a value already in
 *       range, -0.0 included, is unchanged, and NaN passes through;
 *   <li>"inside" is {@code -qn <= v <= qp} on the float32 quotient v, below {@code v < -qn},
 *       above {@code v > qp}; a NaN quotient is none of these: q = NaN, dx = 0 and
 *       {@code t = rne(v) - v = NaN}, so ds becomes NaN and the failure shows;
 *   <li>each term is the float32 product {@code g_i * t_i}; {@code ds = gradScale * sum} is one
 *       more float32 multiplication; the empty sum is +0;
 *   <li>LSQ+ offset gradient: {@code u_i = 0} inside, 1 outside (d q / d beta under the
 *       straight-through estimator), scaled by the same gradScale as s (as in LSQ+).
 * </ul>
 */
public class ScalarQat implements QatKernels {

    /** Lower grid bound Qn: 2^(bits-1) signed (contract 8), 0 unsigned (our unsigned reading). */
    public static int gridQn(int bits, boolean signed) {
        return signed ? 1 << (bits - 1) : 0;
    }

    /** Upper grid bound Qp: 2^(bits-1) - 1 signed (contract 8), 2^bits - 1 unsigned. */
    public static int gridQp(int bits, boolean signed) {
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** {@code 1 / sqrt(N * Qp)} computed in float64 and rounded once to float32 (contract 8). */
    public static float gradScale(int n, int qp) {
        return (float) (1.0 / Math.sqrt((double) n * qp));
    }

    /** The float32 quotient v = x / s, or (x - beta) / s for LSQ+. */
    public static float quotient(float x, float s, float[] offsets, int k) {
        return (offsets == null ? x : x - offsets[k]) / s;
    }

    /** Round half to even, sign of zero kept; exact for every float. */
    public static float rne(float v) {
        return (float) Math.rint(v);
    }

    public static float clamp(float r, float lo, float hi) {
        return r < lo ? lo : (r > hi ? hi : r);
    }

    /** {@code t}: rne(v) - v inside the grid, -qn below, qp above (contract 8). */
    public static float stepTerm(float v, int qn, int qp) {
        if (v < -qn) return -qn;
        if (v > qp) return qp;
        return rne(v) - v;
    }

    public static boolean inside(float v, int qn, int qp) {
        return v >= -qn && v <= qp;
    }

    /** Number of scale segments of a {@code [rows, cols]} tensor with segments of {@code group}. */
    public static int segmentCount(int rows, int cols, int group) {
        return cols == 0 ? 0 : rows * ((cols + group - 1) / group);
    }

    @Override
    public void lsqForward(float[] x, int rows, int cols, int group, float[] scales, float[] offsets,
                           int qn, int qp, float[] q) {
        int perRow = (cols + group - 1) / Math.max(group, 1);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int i = r * cols + c;
                int k = r * perRow + c / group;
                float s = scales[k];
                float level = clamp(rne(quotient(x[i], s, offsets, k)), -qn, qp);
                q[i] = offsets == null ? level * s : level * s + offsets[k];
            }
        }
    }

    @Override
    public void lsqBackward(float[] x, float[] g, int rows, int cols, int group, float[] scales, float[] offsets,
                            int qn, int qp, float[] dx, float[] ds, float[] dOffsets) {
        int perRow = (cols + group - 1) / Math.max(group, 1);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < perRow; j++) {
                int k = r * perRow + j;
                int from = r * cols + j * group;
                int len = Math.min(group, cols - j * group);
                float s = scales[k];
                float[] tTerms = new float[len];
                float[] uTerms = new float[len];
                for (int e = 0; e < len; e++) {
                    int i = from + e;
                    float v = quotient(x[i], s, offsets, k);
                    boolean in = inside(v, qn, qp);
                    dx[i] = in ? g[i] : 0.0f;
                    tTerms[e] = g[i] * stepTerm(v, qn, qp);
                    uTerms[e] = g[i] * (in ? 0.0f : 1.0f);
                }
                float scale = gradScale(len, qp);
                ds[k] = scale * PairwiseSum.reference(tTerms, 0, len);
                if (offsets != null) dOffsets[k] = scale * PairwiseSum.reference(uTerms, 0, len);
            }
        }
    }
}
