package io.lowbit.backend;

/** Lion scalars, float64 rounded once to float32 (docs/numerics-optim.md). */
public record LionScalars(float lr, float b1, float a1, float b2, float a2, float decay) {
    public static LionScalars of(double lr, double beta1, double beta2, double weightDecay) {
        return new LionScalars((float) lr, (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2),
                (float) (1 - lr * weightDecay));
    }
}
