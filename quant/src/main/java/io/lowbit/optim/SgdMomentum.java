package io.lowbit.optim;

import io.lowbit.Blockwise;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.SgdScalars;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum (PyTorch's, dampening 0, coupled weight decay), momentum buffer in 8-bit
 * dynamic-signed blocks (as bitsandbytes' SGD8bit) or float32. Step order: docs/numerics-optim.md.
 */
public final class SgdMomentum extends Optimizer {
    private final double momentum;
    private final int stateBits, blockSize;

    private SgdMomentum(Builder b, List<ParamGroup> groups) {
        super(groups, b.lr, b.weightDecay, b.backend);
        momentum = b.momentum;
        stateBits = b.stateBits;
        blockSize = b.blockSize;
        initStates();
    }

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private double lr = 1e-2, momentum = 0.9, weightDecay = 0;
        private int stateBits = 8, blockSize = 256;
        private Backend backend = Backends.get();

        public Builder lr(double v) { lr = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder stateBits(int v) { stateBits = v; return this; }
        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder backend(Backend be) { backend = be; return this; }

        public SgdMomentum build(ParamGroup... groups) { return build(List.of(groups)); }

        public SgdMomentum build(List<ParamGroup> groups) {
            checkNonNegative("lr", lr);
            checkBeta("momentum", momentum);
            checkNonNegative("weightDecay", weightDecay);
            checkOneStateSettings(stateBits, blockSize);
            return new SgdMomentum(this, groups);
        }
    }

    @Override public String kind() { return "sgd"; }
    @Override protected String[] stateNames() { return new String[] {"momentum"}; }

    @Override
    protected StateTensor[] newStates(int n) {
        return oneSignedState(n, stateBits, blockSize);
    }

    @Override
    protected Map<String, Double> settings() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("momentum", momentum);
        s.put("stateBits", (double) stateBits);
        s.put("blockSize", (double) blockSize);
        return s;
    }

    @Override
    protected int update(int k, float[] p, float[] g, double lr, double wd, long t) {
        int n = params.get(k).size();
        StateTensor buf = states[k][0];
        SgdScalars s = SgdScalars.of(lr, momentum, wd);
        BlockwiseKernels kern = blockwise.backend().blockwise();
        if (buf.bits == 32) return forElements(n, (a, b) -> kern.sgd32(s, p, g, buf.values, a, b));
        return forBlocks(n, buf.blockSize, (b0, b1) -> kern.sgd8(s, buf.codebook, buf.blockSize, p, g, buf.codes, buf.absmax, n, b0, b1));
    }
}
