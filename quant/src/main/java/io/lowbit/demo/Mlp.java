package io.lowbit.demo;

import java.util.SplittableRandom;

/**
 * A small multi-layer perceptron in plain Java: dense layers with ReLU between them and a
 * softmax cross-entropy loss. Weights are row-major {@code [out, in]}. The arithmetic of the
 * three matrix products of a layer is in {@link Gemm}; what lowbit changes per recipe (which
 * operands are quantized, how) is decided by a {@link Recipe}, not here.
 */
final class Mlp {
    final int[] sizes;
    final float[][] weights;
    final float[][] biases;

    Mlp(int[] sizes, long seed) {
        this.sizes = sizes.clone();
        int layers = sizes.length - 1;
        weights = new float[layers][];
        biases = new float[layers][];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 0; l < layers; l++) {
            int in = sizes[l], out = sizes[l + 1];
            weights[l] = new float[out * in];
            biases[l] = new float[out];
            double std = Math.sqrt(2.0 / in);            // He initialisation for ReLU layers
            for (int i = 0; i < weights[l].length; i++) weights[l][i] = (float) (gaussian(rnd) * std);
        }
    }

    int layers() { return weights.length; }
    int in(int layer) { return sizes[layer]; }
    int out(int layer) { return sizes[layer + 1]; }

    long parameterCount() {
        long n = 0;
        for (int l = 0; l < layers(); l++) n += weights[l].length + biases[l].length;
        return n;
    }

    /** The tensors an optimizer updates, weights then biases per layer. */
    float[][] parameters() {
        float[][] p = new float[2 * layers()][];
        for (int l = 0; l < layers(); l++) {
            p[2 * l] = weights[l];
            p[2 * l + 1] = biases[l];
        }
        return p;
    }

    static double gaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Softmax cross-entropy of logits {@code [batch, classes]}: returns the mean loss and
     * writes d(loss)/d(logits) into {@code grad}.
     */
    static float softmaxCrossEntropy(float[] logits, int[] labels, int labelOffset, int batch, int classes, float[] grad) {
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            int o = b * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.exp(logits[o + c] - max);
            int y = labels[labelOffset + b];
            loss += Math.log(sum) - (logits[o + y] - max);
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(logits[o + c] - max) / sum;
                grad[o + c] = (float) ((p - (c == y ? 1 : 0)) / batch);
            }
        }
        return (float) (loss / batch);
    }
}
