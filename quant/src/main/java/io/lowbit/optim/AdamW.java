package io.lowbit.optim;

import io.lowbit.Blockwise;
import io.lowbit.Checks;
import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.BlockwiseKernels;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (contract 7.3) with 32-, 8- or 4-bit states, and the optional SPAM / Stable-SPAM
 * stabilizers (docs/numerics-optim.md).
 *
 * <ul>
 * <li>8-bit: m with dynamic-signed, v with dynamic-unsigned, blockwise (default block 256), as
 *     bitsandbytes' AdamW8bit;</li>
 * <li>4-bit ({@link AdamW4bit}): m with the 4-bit dynamic map, v with linear4, block 128, codes
 *     packed two per byte, as torchao's AdamW4bit;</li>
 * <li>tensors under {@link Optimizer#MIN_QUANTIZED_SIZE} elements keep float32 states.</li>
 * </ul>
 *
 * <pre>{@code
 * AdamW opt = AdamW.builder().lr(1e-3).weightDecay(0.01).stateBits(8).build(ParamGroup.of(w, b));
 * opt.step(gradW, gradB);
 * }</pre>
 */
public final class AdamW extends Optimizer {

    /**
     * SPAM (Huang et al., 2025, "SPAM: Spike-Aware Adam with Momentum Reset"): a gradient element
     * with {@code g^2 > theta * v} (v the second moment before this step) is clipped to
     * {@code sign(g) * sqrt(theta * v)}; every {@code deltaT} steps m and v are reset to zero and
     * the learning rate follows a cosine warmup over {@code warmupSteps} steps. Defaults are the
     * paper's: theta 5000, deltaT 500, warmup 150.
     */
    public record Spam(double theta, int deltaT, int warmupSteps) {
        public static final Spam DEFAULT = new Spam(5000, 500, 150);

        public Spam {
            checkPositive("spam.theta", theta);
            Checks.inRange("spam.deltaT", deltaT, 0, Integer.MAX_VALUE);
            Checks.inRange("spam.warmupSteps", warmupSteps, 0, Integer.MAX_VALUE);
        }
    }

    /**
     * Stable-SPAM (Huang et al., 2025, "Stable-SPAM: How to Train in 4-Bit More Stably than
     * 16-Bit Adam"): adaptive spike clipping by a moving maximum of |g| (gamma3, bias-corrected),
     * adaptive gradient-norm normalization by moving first/second moments of ||g|| (gamma1,
     * gamma2, bias-corrected), and momentum reset every {@code deltaT} steps with the same cosine
     * warmup as SPAM. Defaults: gamma1 0.7, gamma2 0.9, gamma3 0.999, deltaT 1000, warmup 150.
     */
    public record StableSpam(double gamma1, double gamma2, double gamma3, int deltaT, int warmupSteps) {
        public static final StableSpam DEFAULT = new StableSpam(0.7, 0.9, 0.999, 1000, 150);

        public StableSpam {
            checkBeta("stableSpam.gamma1", gamma1);
            checkBeta("stableSpam.gamma2", gamma2);
            checkBeta("stableSpam.gamma3", gamma3);
            Checks.inRange("stableSpam.deltaT", deltaT, 0, Integer.MAX_VALUE);
            Checks.inRange("stableSpam.warmupSteps", warmupSteps, 0, Integer.MAX_VALUE);
        }
    }

    /** Stable-SPAM statistics per parameter (extras): moving max of |g|, moving mean of ||g||, of ||g||^2. */
    private static final int M_MAX = 0, M_NORM = 1, V_NORM = 2;

    private final double beta1, beta2, eps;
    private final int stateBits, blockSize;
    private final Spam spam;
    private final StableSpam stableSpam;

    private AdamW(Builder b, List<ParamGroup> groups) {
        super(groups, b.lr, b.weightDecay, b.backend);
        beta1 = b.beta1;
        beta2 = b.beta2;
        eps = b.eps;
        stateBits = b.stateBits;
        blockSize = b.blockSize;
        spam = b.spam;
        stableSpam = b.stableSpam;
        initStates();
    }

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.01;
        private int stateBits = 8, blockSize = 256;
        private Spam spam;
        private StableSpam stableSpam;
        private Backend backend = Backends.get();

        public Builder lr(double v) { lr = v; return this; }
        public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder eps(double v) { eps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        /** 32, 8 (default) or 4. Setting 4 also sets block size 128 (torchao); override after if needed. */
        public Builder stateBits(int bits) {
            stateBits = bits;
            if (bits == 4) blockSize = 128;
            return this;
        }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder spam(Spam s) { spam = s; return this; }
        public Builder stableSpam(StableSpam s) { stableSpam = s; return this; }
        public Builder backend(Backend be) { backend = be; return this; }

        public AdamW build(ParamGroup... groups) { return build(List.of(groups)); }

        public AdamW build(List<ParamGroup> groups) {
            checkNonNegative("lr", lr);
            checkBeta("beta1", beta1);
            checkBeta("beta2", beta2);
            checkPositive("eps", eps);
            checkNonNegative("weightDecay", weightDecay);
            if (stateBits != 32 && stateBits != 8 && stateBits != 4) throw new IllegalArgumentException("stateBits must be 32, 8 or 4, got " + stateBits);
            Blockwise.checkBlockSize(blockSize);
            if (spam != null && stableSpam != null) throw new IllegalArgumentException("spam and stableSpam are alternatives: give at most one");
            return new AdamW(this, groups);
        }
    }

    @Override public String kind() { return "adamw"; }

    @Override protected String[] stateNames() { return new String[] {"m", "v"}; }

    @Override protected int extrasPerParam() { return stableSpam != null ? 3 : 0; }

    @Override
    protected StateTensor[] newStates(int n) {
        if (stateBits == 32 || n < MIN_QUANTIZED_SIZE) return new StateTensor[] {StateTensor.float32(n), StateTensor.float32(n)};
        if (stateBits == 8) {
            return new StateTensor[] {StateTensor.quantized(n, 8, Codebook.DYNAMIC_SIGNED, blockSize),
                    StateTensor.quantized(n, 8, Codebook.DYNAMIC_UNSIGNED, blockSize)};
        }
        return new StateTensor[] {StateTensor.quantized(n, 4, Codebook.DYNAMIC_SIGNED_4, blockSize),
                StateTensor.quantized(n, 4, Codebook.LINEAR4, blockSize)};
    }

    @Override
    protected Map<String, Double> settings() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("beta1", beta1);
        s.put("beta2", beta2);
        s.put("eps", eps);
        s.put("stateBits", (double) stateBits);
        s.put("blockSize", (double) blockSize);
        if (spam != null) {
            s.put("spam.theta", spam.theta());
            s.put("spam.deltaT", (double) spam.deltaT());
            s.put("spam.warmupSteps", (double) spam.warmupSteps());
        }
        if (stableSpam != null) {
            s.put("stableSpam.gamma1", stableSpam.gamma1());
            s.put("stableSpam.gamma2", stableSpam.gamma2());
            s.put("stableSpam.gamma3", stableSpam.gamma3());
            s.put("stableSpam.deltaT", (double) stableSpam.deltaT());
            s.put("stableSpam.warmupSteps", (double) stableSpam.warmupSteps());
        }
        return s;
    }

    private int deltaT() { return spam != null ? spam.deltaT() : stableSpam != null ? stableSpam.deltaT() : 0; }

    private int warmupSteps() { return spam != null ? spam.warmupSteps() : stableSpam != null ? stableSpam.warmupSteps() : 0; }

    /** Momentum reset before steps deltaT+1, 2*deltaT+1, ...: m and v (codes and absmax) back to zero. */
    @Override
    protected void beforeStep(long t) {
        int dt = deltaT();
        if (dt > 0 && t > 1 && (t - 1) % dt == 0) {
            for (StateTensor[] s : states) for (StateTensor x : s) x.reset();
        }
    }

    /**
     * The learning-rate factor after a momentum reset: {@code 1 - 0.99 (1 + cos(pi s / N)) / 2}
     * for the s-th step after the reset (s = 1..N), as SPAM's cosine warmup from 1% to 100%; 1
     * before the first reset and after the warmup.
     */
    double warmupFactor(long t) {
        int dt = deltaT(), n = warmupSteps();
        if (dt <= 0 || n <= 0 || t <= dt) return 1.0;
        long s = (t - 1) % dt + 1;
        if (s >= n) return 1.0;
        return 1 - 0.99 * (1 + Math.cos(Math.PI * s / n)) / 2;
    }

    @Override
    protected int update(int k, float[] p, float[] g, double lr, double wd, long t) {
        int n = params.get(k).size();
        StateTensor m = states[k][0], v = states[k][1];
        float[] ge = g;
        if (stableSpam != null) ge = stableSpamGradient(k, g, n, t);
        if (spam != null) ge = spamClip(g, n, v);  // spam and stableSpam are exclusive
        AdamWScalars s = AdamWScalars.of(lr * warmupFactor(t), beta1, beta2, eps, wd, t);
        BlockwiseKernels kern = blockwise.backend().blockwise();
        float[] gg = ge;
        return switch (m.bits) {
            case 32 -> forElements(n, (a, b) -> kern.adamw32(s, p, gg, m.values, v.values, a, b));
            case 8 -> forBlocks(n, m.blockSize, (b0, b1) -> kern.adamw8(s, m.codebook, v.codebook, m.blockSize, p, gg,
                    m.codes, m.absmax, v.codes, v.absmax, n, b0, b1));
            default -> forBlocks(n, m.blockSize, (b0, b1) -> kern.adamw4(s, m.codebook, v.codebook, m.blockSize, p, gg,
                    m.codes, m.absmax, v.codes, v.absmax, n, b0, b1));
        };
    }

    /**
     * SPAM clipping in float32: where v > 0 and g*g > theta*v, g = sign(g) * sqrt(theta*v). Elements
     * with v = 0 (no history yet, or just reset) are not clipped; NaN/Inf pass through to the step.
     */
    private float[] spamClip(float[] g, int n, StateTensor vState) {
        float[] v = vState.bits == 32 ? vState.values : vState.toFloats(blockwise);
        float theta = (float) spam.theta();
        float[] out = Arrays.copyOf(g, n);
        for (int i = 0; i < n; i++) {
            float gi = out[i], limit = theta * v[i];
            if (v[i] > 0f && Float.isFinite(gi) && gi * gi > limit) out[i] = Math.copySign((float) Math.sqrt(limit), gi);
        }
        return out;
    }

    /**
     * Stable-SPAM's AdaClip then AdaGN. Statistics over the finite elements, in float64, in
     * element order (so independent of threads); each factor is rounded once to float32 and
     * applied with one float32 multiply. NaN/Inf elements pass through (the step zeroes them).
     */
    private float[] stableSpamGradient(int k, float[] g, int n, long t) {
        double[] st = extras[k];
        float[] out = Arrays.copyOf(g, n);
        double gmax = 0;
        for (int i = 0; i < n; i++) if (Float.isFinite(g[i])) gmax = Math.max(gmax, Math.abs(g[i]));
        // AdaClip: clip |g| above the bias-corrected moving max to it
        double g3 = stableSpam.gamma3();
        st[M_MAX] = g3 * st[M_MAX] + (1 - g3) * gmax;
        double mMaxHat = st[M_MAX] / (1 - Math.pow(g3, t));
        if (gmax > 0) {
            float limit = (float) mMaxHat, scale = (float) (mMaxHat / gmax);
            for (int i = 0; i < n; i++) if (Math.abs(out[i]) > limit) out[i] = out[i] * scale;
        }
        // AdaGN: g * (mNormHat / (sqrt(vNormHat) + 1e-8)) / ||g||
        double sq = 0;
        for (int i = 0; i < n; i++) if (Float.isFinite(out[i])) sq += (double) out[i] * out[i];
        double norm = Math.sqrt(sq);
        double g1 = stableSpam.gamma1(), g2 = stableSpam.gamma2();
        st[M_NORM] = g1 * st[M_NORM] + (1 - g1) * norm;
        st[V_NORM] = g2 * st[V_NORM] + (1 - g2) * norm * norm;
        double mHat = st[M_NORM] / (1 - Math.pow(g1, t)), vHat = st[V_NORM] / (1 - Math.pow(g2, t));
        if (norm > 0) {
            float f = (float) (mHat / (Math.sqrt(vHat) + 1e-8) / norm);
            for (int i = 0; i < n; i++) out[i] = out[i] * f;
        }
        return out;
    }
}
