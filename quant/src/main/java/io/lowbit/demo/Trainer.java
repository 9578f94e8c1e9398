package io.lowbit.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training loop shared by every recipe: mini-batches from a seeded shuffle, forward,
 * softmax cross-entropy, backward through the recipe's operands, one optimizer step.
 * Deterministic: the same seed gives the same bits on every run.
 */
final class Trainer {
    static final int BATCH = 64;      // a multiple of 16: the weight-gradient Hadamard runs along the batch

    /** Per-epoch history of one recipe. */
    record History(String recipe, String description, List<Float> loss, List<Float> accuracy,
                   List<Double> epochSeconds, long stateBytes, long parameterCount,
                   int scaleFreezes, int oscillationFreezes) {
        float finalLoss() { return loss.get(loss.size() - 1); }
        float finalAccuracy() { return accuracy.get(accuracy.size() - 1); }
        double secondsPerEpoch() { return epochSeconds.stream().mapToDouble(d -> d).average().orElse(0); }
    }

    private final Dataset train;
    private final Dataset test;
    private final int[] sizes;

    Trainer(Dataset train, Dataset test, int[] sizes) {
        this.train = train;
        this.test = test;
        this.sizes = sizes;
    }

    History run(Recipe recipe, int epochs, long seed, Progress progress) {
        Mlp model = new Mlp(sizes, seed);
        List<Float> losses = new ArrayList<>();
        List<Float> accuracies = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        SplittableRandom shuffle = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] order = new int[train.count()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        int batches = train.count() / BATCH;       // the last partial batch is dropped
        recipe.init(model, seed, (long) batches * epochs);
        float[] xb = new float[BATCH * train.features()];
        int[] yb = new int[BATCH];
        int step = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long t0 = System.nanoTime();
            shuffleInPlace(order, shuffle);
            double lossSum = 0;
            for (int bi = 0; bi < batches; bi++) {
                for (int b = 0; b < BATCH; b++) {
                    int row = order[bi * BATCH + b];
                    System.arraycopy(train.x(), row * train.features(), xb, b * train.features(), train.features());
                    yb[b] = train.labels()[row];
                }
                float[] lossOut = new float[1];
                float[][] grads = gradients(model, recipe, xb, yb, lossOut);
                lossSum += lossOut[0];
                recipe.step(grads, () -> gradients(model, recipe, xb, yb, new float[1]), ++step);
                progress.batch(recipe.name(), epoch, epochs, bi + 1, batches, (float) (lossSum / (bi + 1)));
            }
            seconds.add((System.nanoTime() - t0) / 1e9);
            losses.add((float) (lossSum / batches));
            accuracies.add(accuracy(model, recipe));
            progress.epochDone(recipe.name(), epoch, epochs, losses.get(epoch - 1), accuracies.get(epoch - 1));
        }
        return new History(recipe.name(), recipe.description(), losses, accuracies, seconds,
                recipe.stateBytes(), model.parameterCount(), recipe.scaleFreezes(), recipe.oscillationFreezes());
    }

    private static void shuffleInPlace(int[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Forward and backward on one batch; gradients in {@link Mlp#parameters()} order. */
    private static float[][] gradients(Mlp model, Recipe recipe, float[] xb, int[] yb, float[] lossOut) {
        int layers = model.layers();
        float[][] inputs = new float[layers][];      // each layer's unquantized input
        float[][] usedWeights = new float[layers][];
        float[] a = xb;
        for (int l = 0; l < layers; l++) {
            inputs[l] = a;
            float[] xq = recipe.forwardInput(l, a, BATCH, true);
            float[] wq = recipe.forwardWeight(l, true);
            usedWeights[l] = wq;
            float[] y = new float[BATCH * model.out(l)];
            Gemm.forward(xq, wq, model.biases[l], y, BATCH, model.in(l), model.out(l));
            if (l < layers - 1) relu(y);
            a = y;
        }
        int classes = model.out(layers - 1);
        float[] dy = new float[BATCH * classes];
        lossOut[0] = Mlp.softmaxCrossEntropy(a, yb, 0, BATCH, classes, dy);

        float[][] grads = new float[2 * layers][];
        for (int l = layers - 1; l >= 0; l--) {
            int in = model.in(l), out = model.out(l);
            float[] dw = new float[out * in];
            recipe.weightGradient(l, dy, inputs[l], BATCH, dw);
            float[] db = new float[out];
            for (int b = 0; b < BATCH; b++) for (int o = 0; o < out; o++) db[o] += dy[b * out + o];
            grads[2 * l] = dw;
            grads[2 * l + 1] = db;
            if (l > 0) {
                float[] dx = new float[BATCH * in];
                Gemm.inputGradient(dy, usedWeights[l], dx, BATCH, in, out);
                float[] act = inputs[l];
                for (int i = 0; i < dx.length; i++) if (act[i] <= 0) dx[i] = 0;   // ReLU
                dy = dx;
            }
        }
        return grads;
    }

    private static void relu(float[] y) {
        for (int i = 0; i < y.length; i++) if (y[i] < 0) y[i] = 0;
    }

    /** Test accuracy in percent, with the recipe's inference-time operands. */
    float accuracy(Mlp model, Recipe recipe) {
        int correct = 0;
        int layers = model.layers();
        float[][] w = new float[layers][];
        for (int l = 0; l < layers; l++) w[l] = recipe.forwardWeight(l, false);
        int batch = 1;
        float[] a0 = new float[test.features()];
        for (int r = 0; r < test.count(); r++) {
            System.arraycopy(test.x(), r * test.features(), a0, 0, test.features());
            float[] a = a0;
            for (int l = 0; l < layers; l++) {
                float[] xq = recipe.forwardInput(l, a, batch, false);
                float[] y = new float[model.out(l)];
                Gemm.forward(xq, w[l], model.biases[l], y, batch, model.in(l), model.out(l));
                if (l < layers - 1) relu(y);
                a = y;
            }
            int best = 0;
            for (int c = 1; c < a.length; c++) if (a[c] > a[best]) best = c;
            if (best == test.labels()[r]) correct++;
        }
        return 100f * correct / test.count();
    }
}
