package io.lowbit.backend;

/**
 * The float32 scalars of one AdamW step (contract 7.3), each computed in float64 from the
 * user's hyperparameters and rounded once to float32. float64 powers and roots use
 * {@link StrictMath} (fdlibm), so every backend gets the same float32 scalars from the host.
 */
public record AdamWScalars(float b1, float a1, float b2, float a2, float stepSize, float bc2s, float decay, float eps) {
    /** {@code t} is the 1-based step. */
    public static AdamWScalars of(double lr, double beta1, double beta2, double eps, double weightDecay, long t) {
        return new AdamWScalars(
                (float) beta1, (float) (1 - beta1), (float) beta2, (float) (1 - beta2),
                (float) (lr / (1 - StrictMath.pow(beta1, t))), (float) StrictMath.sqrt(1 - StrictMath.pow(beta2, t)),
                (float) (1 - lr * weightDecay), (float) eps);
    }
}
