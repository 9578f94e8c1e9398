package io.lowbit.qat;

import io.lowbit.Checks;
import io.lowbit.backend.scalar.ScalarQat;

/**
 * Oscillation dampening by freezing (Nagel et al., "Overcoming Oscillations in
 * Quantization-Aware Training", ICML 2022), for one weight tensor with one scale.
 *
 * <p>Per weight, after each optimizer step ({@link #update}): the integer level
 * {@code clamp(rne(w / s), -Qn, Qp)} (contract 8's rounding); an <em>oscillation</em> is a level
 * change whose direction reverses the previous change. An EMA of the oscillation indicator
 * (1 on a step with an oscillation, else 0; momentum m, default 0.01:
 * {@code f = m * osc + (1 - m) * f}) and an EMA of the level itself are kept. A weight whose
 * frequency exceeds {@code threshold} is frozen at the rounded (half to even) level EMA:
 * its latent value is set to {@code level * s} on every later update, so it stays on that level.
 *
 * <p>Option (OFQ, Liu et al. 2023, "confidence-guided annealing", our reading):
 * {@link #freezeConfident} freezes every weight whose position {@code w / s} lies farther than
 * {@code margin} from the nearest rounding boundary {@code k + 0.5}, at its current level.
 */
public final class OscillationTracker {
    private final int qn, qp;
    private final double momentum, threshold;
    private final int[] level, lastDirection;
    private final double[] frequency, levelEma;
    private final boolean[] frozen;
    private final int[] frozenLevel;
    private boolean started;
    private int frozenCount;

    public OscillationTracker(int size, int bits, boolean signed, double threshold) {
        this(size, bits, signed, 0.01, threshold);
    }

    public OscillationTracker(int size, int bits, boolean signed, double momentum, double threshold) {
        Checks.nonNegative("size", size);
        Checks.inRange("bits", bits, 2, 8);
        if (!(momentum > 0 && momentum <= 1)) throw new IllegalArgumentException("momentum must be in (0, 1], got " + momentum);
        if (!(threshold >= 0 && threshold <= 1)) throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        this.qn = ScalarQat.gridQn(bits, signed);
        this.qp = ScalarQat.gridQp(bits, signed);
        this.momentum = momentum;
        this.threshold = threshold;
        level = new int[size];
        lastDirection = new int[size];
        frequency = new double[size];
        levelEma = new double[size];
        frozen = new boolean[size];
        frozenLevel = new int[size];
    }

    private int levelOf(float w, float s) {
        return (int) ScalarQat.clamp(ScalarQat.rne(w / s), -qn, qp);
    }

    /**
     * Observe the weights after an optimizer step with scale s. Frozen weights are written back
     * as {@code level * s}. Returns how many weights froze in this call.
     */
    public int update(float[] w, float s) {
        check(w, s);
        int newlyFrozen = 0;
        for (int i = 0; i < w.length; i++) {
            if (frozen[i]) { w[i] = frozenLevel[i] * s; continue; }
            int now = levelOf(w[i], s);
            if (!started) {
                level[i] = now;
                levelEma[i] = now;
                continue;
            }
            int osc = 0;
            if (now != level[i]) {
                int dir = Integer.signum(now - level[i]);
                if (lastDirection[i] != 0 && dir != lastDirection[i]) osc = 1;
                lastDirection[i] = dir;
                level[i] = now;
            }
            frequency[i] = momentum * osc + (1 - momentum) * frequency[i];
            levelEma[i] = momentum * now + (1 - momentum) * levelEma[i];
            if (frequency[i] > threshold) {
                freeze(i, (int) Math.max(-qn, Math.min(qp, Math.rint(levelEma[i]))));
                w[i] = frozenLevel[i] * s;
                newlyFrozen++;
            }
        }
        started = true;
        return newlyFrozen;
    }

    /** OFQ-style annealing: freeze unfrozen weights farther than {@code margin} (0..0.5) from a rounding boundary. */
    public int freezeConfident(float[] w, float s, double margin) {
        check(w, s);
        if (!(margin >= 0 && margin <= 0.5)) throw new IllegalArgumentException("margin must be in [0, 0.5], got " + margin);
        int count = 0;
        for (int i = 0; i < w.length; i++) {
            if (frozen[i]) continue;
            double v = (double) w[i] / s;
            double distance = Math.abs(v - Math.floor(v) - 0.5);
            if (distance > margin) {
                freeze(i, levelOf(w[i], s));
                w[i] = frozenLevel[i] * s;
                count++;
            }
        }
        return count;
    }

    private void freeze(int i, int at) {
        frozen[i] = true;
        frozenLevel[i] = at;
        frozenCount++;
    }

    private void check(float[] w, float s) {
        Checks.notNull("w", w);
        Checks.exactLength("w", w.length, level.length);
        if (!(s > 0) || Float.isInfinite(s)) throw new IllegalArgumentException("s must be a finite value > 0, got " + s);
    }

    public boolean isFrozen(int i) { return frozen[i]; }
    /** The level a frozen weight is held at. */
    public int frozenLevel(int i) { return frozenLevel[i]; }
    public double frequency(int i) { return frequency[i]; }
    public double levelEma(int i) { return levelEma[i]; }
    public int frozenCount() { return frozenCount; }
}
