package io.lowbit.demo;

import io.lowbit.optim.AdamW;
import io.lowbit.optim.Param;
import io.lowbit.optim.ParamGroup;
import io.lowbit.qat.LsqQuantizer;
import io.lowbit.qat.OscillationTracker;
import io.lowbit.qat.ScaleFreezer;

/**
 * Quantization-aware training with 4-bit weights:
 * <ul>
 * <li>each layer's weights go through an LSQ fake quantizer (signed 4 bits, one learned
 *     scale per layer, initialised as LSQ does); activations stay float32;</li>
 * <li>the scale gradient has two parts, as in GAQAT: the task-loss part and a smoothness part,
 *     the change of the scale gradient under a SAM-style perturbation of the weights
 *     ({@code w + rho * g / ||g||}). A {@link ScaleFreezer} watches the task part's sign and
 *     freezes it once it has settled; the smoothness part keeps flowing;</li>
 * <li>an {@link OscillationTracker} freezes weights that keep flipping between two levels
 *     (Nagel et al. 2022), at the rounded average of their level;</li>
 * <li>weights and biases: AdamW with 32-bit states; scales: their own AdamW.</li>
 * </ul>
 */
final class QatRecipe extends Fp32Recipe {
    static final int BITS = 4;
    static final float SAM_RHO = 0.05f;
    static final int FREEZE_WINDOW = 8;
    static final double FREEZE_TAU = 0.25;
    static final double OSCILLATION_THRESHOLD = 0.02;
    static final double SCALE_LR = 1e-3;

    private LsqQuantizer[] quantizers;
    private OscillationTracker[] trackers;
    private ScaleFreezer freezer;
    private AdamW scaleOptimizer;
    private float[][] scales;

    @Override public String name() { return "qat"; }

    @Override
    public String description() {
        return "4-bit LSQ weights, GAQAT-style scale freezing (SAM smoothness), oscillation freezing, AdamW 32-bit";
    }

    @Override
    public void init(Mlp model, long seed, long totalSteps) {
        super.init(model, seed, totalSteps);
        int layers = model.layers();
        quantizers = new LsqQuantizer[layers];
        trackers = new OscillationTracker[layers];
        scales = new float[layers][];
        Param[] scaleParams = new Param[layers];
        for (int l = 0; l < layers; l++) {
            quantizers[l] = LsqQuantizer.initPerTensor(BITS, true, model.weights[l]);
            trackers[l] = new OscillationTracker(model.weights[l].length, BITS, true, OSCILLATION_THRESHOLD);
            scales[l] = quantizers[l].scales();
            scaleParams[l] = Param.f32("s" + l, scales[l]);
        }
        freezer = new ScaleFreezer(FREEZE_WINDOW, FREEZE_TAU, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.PERMANENT, null);
        scaleOptimizer = AdamW.builder().lr(SCALE_LR).weightDecay(0).stateBits(32).build(ParamGroup.of(scaleParams));
    }

    @Override
    public float[] forwardWeight(int l, boolean training) {
        return quantizers[l].forward(model.weights[l]);
    }

    @Override
    public void step(float[][] grads, GradientOracle again, int step) {
        int layers = model.layers();
        // Task-loss gradients through LSQ: dW (clip-masked) and ds.
        float[][] taskScaleGrads = new float[layers][];
        float[][] paramGrads = grads.clone();
        for (int l = 0; l < layers; l++) {
            LsqQuantizer.Gradients g = quantizers[l].backward(model.weights[l], grads[2 * l]);
            paramGrads[2 * l] = g.dx();
            taskScaleGrads[l] = g.ds();
        }
        // SAM-style look: perturb the weights along the normalized gradient, recompute.
        double norm = 0;
        for (int l = 0; l < layers; l++) for (float v : paramGrads[2 * l]) norm += (double) v * v;
        float factor = norm > 0 ? (float) (SAM_RHO / Math.sqrt(norm)) : 0f;
        float[][] saved = new float[layers][];
        for (int l = 0; l < layers; l++) {
            saved[l] = model.weights[l].clone();
            float[] w = model.weights[l], d = paramGrads[2 * l];
            for (int i = 0; i < w.length; i++) w[i] += factor * d[i];
        }
        float[][] perturbed = again.gradients();
        float[][] scaleGrads = new float[layers][];
        for (int l = 0; l < layers; l++) {
            float[] dsAtPerturbed = quantizers[l].backward(model.weights[l], perturbed[2 * l]).ds();
            System.arraycopy(saved[l], 0, model.weights[l], 0, saved[l].length);
            float[] smooth = new float[dsAtPerturbed.length];
            for (int i = 0; i < smooth.length; i++) smooth[i] = dsAtPerturbed[i] - taskScaleGrads[l][i];
            scaleGrads[l] = freezer.step("layer" + l, taskScaleGrads[l], smooth);
        }
        optimizer.step(paramGrads);
        scaleOptimizer.step(scaleGrads);
        for (int l = 0; l < layers; l++) {
            scales[l][0] = Math.max(scales[l][0], 1e-6f);    // a scale must stay positive
            quantizers[l].setScales(scales[l]);
            trackers[l].update(model.weights[l], scales[l][0]);   // holds frozen weights at their level
        }
    }

    @Override public long stateBytes() { return optimizer.totalStateBytes() + scaleOptimizer.totalStateBytes(); }

    @Override
    public int scaleFreezes() {
        return (int) freezer.events().stream().filter(ScaleFreezer.Event::frozen).count();
    }

    @Override
    public int oscillationFreezes() {
        int n = 0;
        for (OscillationTracker t : trackers) n += t.frozenCount();
        return n;
    }
}
