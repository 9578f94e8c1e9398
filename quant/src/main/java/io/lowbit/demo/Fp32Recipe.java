package io.lowbit.demo;

import io.lowbit.optim.AdamW;
import io.lowbit.optim.LrSchedule;
import io.lowbit.optim.Param;
import io.lowbit.optim.ParamGroup;

/**
 * The baseline: float32 everywhere, AdamW with 32-bit states. Every recipe uses the same
 * learning rate, weight decay and schedule (5% linear warmup, then cosine decay to 0).
 */
class Fp32Recipe implements Recipe {
    static final double LR = 2e-3;
    static final double WEIGHT_DECAY = 1e-4;

    Mlp model;
    AdamW optimizer;

    @Override public String name() { return "fp32"; }
    @Override public String description() { return "float32 weights and products, AdamW 32-bit states"; }

    @Override
    public void init(Mlp model, long seed, long totalSteps) {
        this.model = model;
        this.optimizer = adamW(model, stateBits(), lr(), totalSteps);
    }

    int stateBits() { return 32; }

    double lr() { return LR; }

    static AdamW adamW(Mlp model, int stateBits, double lr, long totalSteps) {
        float[][] p = model.parameters();
        Param[] params = new Param[p.length];
        for (int k = 0; k < p.length; k++) params[k] = Param.f32((k % 2 == 0 ? "w" : "b") + (k / 2), p[k]);
        AdamW adamW = AdamW.builder().lr(lr).weightDecay(WEIGHT_DECAY).stateBits(stateBits).build(ParamGroup.of(params));
        adamW.schedule(LrSchedule.warmupCosine(totalSteps / 20, totalSteps));
        return adamW;
    }

    @Override public float[] forwardWeight(int l, boolean training) { return model.weights[l]; }
    @Override public float[] forwardInput(int l, float[] x, int batch, boolean training) { return x; }

    @Override
    public void weightGradient(int l, float[] dy, float[] x, int batch, float[] dw) {
        Gemm.weightGradientT(Gemm.transpose(dy, batch, model.out(l)), Gemm.transpose(x, batch, model.in(l)),
                dw, batch, model.in(l), model.out(l));
    }

    @Override public void step(float[][] grads, GradientOracle again, int step) { optimizer.step(grads); }
    @Override public long stateBytes() { return optimizer.totalStateBytes(); }
}
