package io.lowbit.optim;

import io.lowbit.data.Digits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real optimization on the digits data: 500 minibatch steps from one seed with 32-bit and with
 * 8-bit states, compared.
 */
class DigitsTrainingTest {
    static Digits digits;
    static float[][] trainPhi, testPhi;
    /** The problem's minimum as far as a long run finds it: 2000 steps of 32-bit AdamW, lr 3e-2 (measured 0.26930). */
    static double optimumLoss;

    @BeforeAll
    static void load() {
        digits = Digits.load();
        trainPhi = features(digits.train());
        testPhi = features(digits.test());
        optimumLoss = train(p -> AdamW.builder().lr(3e-2).weightDecay(0).stateBits(32).build(ParamGroup.of(p)), 2000)[0];
    }

    /**
     * L2-regularized softmax regression on 512 fixed random ReLU features of the 64 pixels:
     * loss = mean cross-entropy + (lambda / 2) * |W|^2 (here LAMBDA = 1e-3). Strongly convex, so it has one minimizer,
     * and the penalty is part of the loss (optimizers run with weight decay 0): its minimizer does
     * not depend on the optimizer's preconditioner, as decoupled weight decay's fixed point would
     * (p * wd = m / sqrt(v) depends on v). Runs that differ only in state quantization therefore
     * head for the same point, and the final loss measures whether the 8-bit optimizer gets
     * there as well as the 32-bit one. The weight W has 512 x 10 = 5120 elements: its states
     * are really 8-bit; the bias (10 elements) keeps float32 states.
     */
    static final class Model {
        static final int F = 512;
        static final float LAMBDA = 1e-3f;
        final float lambda;
        final float[] w = new float[F * 10], b = new float[10], gw = new float[w.length], gb = new float[10];

        Model(float lambda) { this.lambda = lambda; }

        Param[] params() { return new Param[] {Param.f32("w", w), Param.f32("b", b)}; }

        /** Mean loss over rows idx of features phi plus the L2 penalty; computes the gradients if {@code grad}. */
        double pass(float[][] phi, int[] y, int[] idx, boolean grad) {
            if (grad) { java.util.Arrays.fill(gw, 0f); java.util.Arrays.fill(gb, 0f); }
            double loss = 0;
            float[] z = new float[10];
            float inv = 1f / idx.length;
            for (int r : idx) {
                float[] f = phi[r];
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < 10; c++) {
                    float s = b[c];
                    for (int j = 0; j < F; j++) s += f[j] * w[j * 10 + c];
                    z[c] = s;
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int c = 0; c < 10; c++) sum += Math.exp(z[c] - max);
                loss += Math.log(sum) + max - z[y[r]];
                if (!grad) continue;
                for (int c = 0; c < 10; c++) {
                    float dz = ((float) (Math.exp(z[c] - max) / sum) - (c == y[r] ? 1f : 0f)) * inv;
                    gb[c] += dz;
                    for (int j = 0; j < F; j++) gw[j * 10 + c] += f[j] * dz;
                }
            }
            double penalty = 0;
            for (int i = 0; i < w.length; i++) {
                penalty += 0.5 * lambda * w[i] * w[i];
                if (grad) gw[i] += lambda * w[i];
            }
            return loss / idx.length + penalty;
        }

        double accuracy(float[][] phi, int[] y) {
            int ok = 0;
            for (int r = 0; r < y.length; r++) {
                int best = 0;
                float bestZ = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < 10; c++) {
                    float s = b[c];
                    for (int j = 0; j < F; j++) s += phi[r][j] * w[j * 10 + c];
                    if (s > bestZ) { bestZ = s; best = c; }
                }
                if (best == y[r]) ok++;
            }
            return 100.0 * ok / y.length;
        }
    }

    /** Fixed random ReLU features: relu(x . R_j + c_j), R ~ N(0, 1/64) * 4, c ~ N(0, 1), seed 7. */
    static float[][] features(Digits.Split d) {
        SplittableRandom r = new SplittableRandom(7);
        float[] proj = new float[64 * Model.F], bias = new float[Model.F];
        for (int i = 0; i < proj.length; i++) proj[i] = (float) (r.nextGaussian() * 0.5);
        for (int j = 0; j < Model.F; j++) bias[j] = (float) r.nextGaussian();
        float[][] phi = new float[d.size()][Model.F];
        for (int s = 0; s < d.size(); s++) {
            for (int j = 0; j < Model.F; j++) {
                float v = bias[j];
                for (int i = 0; i < 64; i++) v += d.x()[s][i] * proj[i * Model.F + j];
                phi[s][j] = Math.max(0f, v) / 8f;
            }
        }
        return phi;
    }

    static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    /** 500 steps with the warmup-cosine schedule; returns {train loss, test accuracy %}. */
    static double[] train(Function<Param[], Optimizer> make) { return train(make, 500); }

    /**
     * Trains {@code steps} steps of batch 128 (batches from a seeded generator), linear warmup over
     * 25 steps then cosine decay to 0 at the last step, so every run ends settled; returns
     * {train loss, test accuracy %}.
     */
    static double[] train(Function<Param[], Optimizer> make, int steps) {
        Model net = new Model(Model.LAMBDA);
        Optimizer opt = make.apply(net.params());
        opt.schedule(LrSchedule.warmupCosine(25, steps));
        runSteps(net, opt, steps, (model, t) -> {});
        return new double[] {trainingLoss(net), net.accuracy(testPhi, digits.test().y())};
    }

    /**
     * {@code steps} optimizer steps on minibatches of 128 training rows drawn from a generator
     * seeded 11 (the same batches for every run); {@code gradientHook} sees each gradient, with
     * the 1-based step number, before the optimizer does (and may change it).
     */
    static void runSteps(Model net, Optimizer opt, int steps, ObjIntConsumer<Model> gradientHook) {
        SplittableRandom r = new SplittableRandom(11);
        int n = digits.train().size();
        int[] batch = new int[128];
        for (int t = 1; t <= steps; t++) {
            for (int i = 0; i < batch.length; i++) batch[i] = r.nextInt(n);
            net.pass(trainPhi, digits.train().y(), batch, true);
            gradientHook.accept(net, t);
            opt.step(net.gw, net.gb);
        }
    }

    /** Mean loss (with the model's penalty) over the whole training split. */
    static double trainingLoss(Model net) {
        return net.pass(trainPhi, digits.train().y(), all(digits.train().size()), false);
    }

    static void assertClose(String what, double[] f32, double[] q8, double lossTolerance) {
        System.out.printf("%s: 32-bit loss %.5f acc %.2f%% | 8-bit loss %.5f acc %.2f%%%n", what, f32[0], f32[1], q8[0], q8[1]);
        assertTrue(f32[1] > 90, what + " learns: test accuracy " + f32[1]);
        // The comparison is about where the runs end, so the 32-bit run must have got there.
        assertTrue(f32[0] < 1.03 * optimumLoss, what + " 32-bit run reached within 3% of the minimum " + optimumLoss + ": " + f32[0]);
        assertEquals(f32[0], q8[0], lossTolerance * f32[0], what + " final training loss within " + lossTolerance * 100 + "%");
        assertEquals(f32[1], q8[1], 0.5, what + " test accuracy within 0.5 points");
    }

    @Test
    void digitsSplitIsFixed() {
        assertEquals(Digits.TRAIN, digits.train().size());
        assertEquals(Digits.TEST, digits.test().size());
        int[] counts = new int[10];
        for (int y : digits.train().y()) counts[y]++;
        for (int c : counts) assertTrue(c > 120 && c < 170, "class balance " + java.util.Arrays.toString(counts));
        assertArrayEquals(digits.test().y(), Digits.load().test().y());
    }

    /*
     * Learning rates: ones at which the 32-bit run reaches the minimum's neighbourhood in 500
     * steps (asserted in assertClose). Runs stopped far from it differ more, in either direction
     * (8-bit AdamW ends 3-5% lower without the penalty, 8-bit Lion 9% higher at lr 3e-3): see
     * docs/numerics-optim.md, "What 8-bit states change". Measured here (32-bit vs 8-bit loss):
     * AdamW lr 3e-2 0.27130 vs 0.27139, lr 1e-1 0.27097 vs 0.27097; SGD 0.27067 vs 0.27069;
     * Lion 0.27353 vs 0.27338.
     */
    @ParameterizedTest(name = "lr {0}")
    @ValueSource(doubles = {3e-2, 1e-1})
    void adamw8MatchesAdamw32(double lr) {
        assertClose("AdamW lr " + lr,
                train(p -> (AdamW.builder().lr(lr).weightDecay(0).stateBits(32).build(ParamGroup.of(p)))),
                train(p -> (AdamW.builder().lr(lr).weightDecay(0).stateBits(8).build(ParamGroup.of(p)))), 0.01);
    }

    @Test
    void sgd8MatchesSgd32() {
        assertClose("SGD momentum",
                train(p -> (SgdMomentum.builder().lr(0.5).momentum(0.9).stateBits(32).build(ParamGroup.of(p)))),
                train(p -> (SgdMomentum.builder().lr(0.5).momentum(0.9).stateBits(8).build(ParamGroup.of(p)))), 0.01);
    }

    @Test
    void lion8MatchesLion32() {
        assertClose("Lion",
                train(p -> (Lion.builder().lr(2e-2).weightDecay(0).stateBits(32).build(ParamGroup.of(p)))),
                train(p -> (Lion.builder().lr(2e-2).weightDecay(0).stateBits(8).build(ParamGroup.of(p)))), 0.01);
    }
}
