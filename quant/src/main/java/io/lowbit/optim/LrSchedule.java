package io.lowbit.optim;

/** The learning rate of step t (1-based) for a group whose base rate is {@code baseLr}. */
@FunctionalInterface
public interface LrSchedule {
    LrSchedule CONSTANT = (t, base) -> base;

    double lr(long t, double baseLr);

    /** Linear warmup over {@code warmup} steps, then cosine decay to 0 at {@code total}. */
    static LrSchedule warmupCosine(long warmup, long total) {
        return (t, base) -> {
            if (t <= warmup) return base * t / Math.max(1, warmup);
            double f = Math.min(1.0, (double) (t - warmup) / Math.max(1, total - warmup));
            return base * 0.5 * (1 + Math.cos(Math.PI * f));
        };
    }
}
