package io.lowbit.optim;

import io.lowbit.Blockwise;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.LionScalars;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lion (Chen et al., 2023) with its momentum in 8-bit dynamic-signed blocks (as bitsandbytes'
 * Lion8bit) or float32. Step order: docs/numerics-optim.md.
 */
public final class Lion extends Optimizer {
    private final double beta1, beta2;
    private final int stateBits, blockSize;

    private Lion(Builder b, List<ParamGroup> groups) {
        super(groups, b.lr, b.weightDecay, b.backend);
        beta1 = b.beta1;
        beta2 = b.beta2;
        stateBits = b.stateBits;
        blockSize = b.blockSize;
        initStates();
    }

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private double lr = 1e-4, beta1 = 0.9, beta2 = 0.99, weightDecay = 0;
        private int stateBits = 8, blockSize = 256;
        private Backend backend = Backends.get();

        public Builder lr(double v) { lr = v; return this; }
        public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder stateBits(int v) { stateBits = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder backend(Backend be) { backend = be; return this; }

        public Lion build(ParamGroup... groups) { return build(List.of(groups)); }

        public Lion build(List<ParamGroup> groups) {
            checkNonNegative("lr", lr);
            checkBeta("beta1", beta1);
            checkBeta("beta2", beta2);
            checkNonNegative("weightDecay", weightDecay);
            checkOneStateSettings(stateBits, blockSize);
            return new Lion(this, groups);
        }
    }

    @Override public String kind() { return "lion"; }
    @Override protected String[] stateNames() { return new String[] {"m"}; }

    @Override
    protected StateTensor[] newStates(int n) {
        return oneSignedState(n, stateBits, blockSize);
    }

    @Override
    protected Map<String, Double> settings() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("beta1", beta1);
        s.put("beta2", beta2);
        s.put("stateBits", (double) stateBits);
        s.put("blockSize", (double) blockSize);
        return s;
    }

    @Override
    protected int update(int k, float[] p, float[] g, double lr, double wd, long t) {
        int n = params.get(k).size();
        StateTensor m = states[k][0];
        LionScalars s = LionScalars.of(lr, beta1, beta2, wd);
        BlockwiseKernels kern = blockwise.backend().blockwise();
        if (m.bits == 32) return forElements(n, (a, b) -> kern.lion32(s, p, g, m.values, a, b));
        return forBlocks(n, m.blockSize, (b0, b1) -> kern.lion8(s, m.codebook, m.blockSize, p, g, m.codes, m.absmax, n, b0, b1));
    }
}
