package io.lowbit.demo;

/**
 * The three products of a dense layer, row-major, float32 accumulation in a fixed order
 * (so a run is reproducible to the bit). Small and plain: the demo's point is the
 * low-precision steps around these products, not the products themselves.
 */
final class Gemm {
    private Gemm() {}

    /** Forward: {@code y[b, o] = sum_i x[b, i] * w[o, i] + bias[o]}. */
    static void forward(float[] x, float[] w, float[] bias, float[] y, int batch, int in, int out) {
        for (int b = 0; b < batch; b++) {
            int xo = b * in;
            for (int o = 0; o < out; o++) {
                int wo = o * in;
                float s = 0;
                for (int i = 0; i < in; i++) s += x[xo + i] * w[wo + i];
                y[b * out + o] = s + bias[o];
            }
        }
    }

    /** Input gradient: {@code dx[b, i] = sum_o dy[b, o] * w[o, i]}. */
    static void inputGradient(float[] dy, float[] w, float[] dx, int batch, int in, int out) {
        java.util.Arrays.fill(dx, 0, batch * in, 0f);
        for (int b = 0; b < batch; b++) {
            int xo = b * in;
            for (int o = 0; o < out; o++) {
                float g = dy[b * out + o];
                if (g == 0) continue;
                int wo = o * in;
                for (int i = 0; i < in; i++) dx[xo + i] += g * w[wo + i];
            }
        }
    }

    /**
     * Weight gradient from operands laid out with the reduction (batch) dimension last,
     * as the quantized path produces them: {@code dw[o, i] = sum_b dyT[o, b] * xT[i, b]}.
     */
    static void weightGradientT(float[] dyT, float[] xT, float[] dw, int batch, int in, int out) {
        for (int o = 0; o < out; o++) {
            int go = o * batch;
            for (int i = 0; i < in; i++) {
                int xo = i * batch;
                float s = 0;
                for (int b = 0; b < batch; b++) s += dyT[go + b] * xT[xo + b];
                dw[o * in + i] = s;
            }
        }
    }

    /** {@code t[c, r] = a[r, c]} for a {@code [rows, cols]} matrix. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        }
        return t;
    }
}
