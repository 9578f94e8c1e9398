package io.lowbit.backend;

/** SGD-momentum scalars, float64 rounded once to float32 (docs/numerics-optim.md). */
public record SgdScalars(float lr, float momentum, float weightDecay) {
    public static SgdScalars of(double lr, double momentum, double weightDecay) {
        return new SgdScalars((float) lr, (float) momentum, (float) weightDecay);
    }
}
