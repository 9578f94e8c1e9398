package io.lowbit.backend.scalar;

import io.lowbit.backend.Backend;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.CastKernels;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.MxKernels;
import io.lowbit.backend.QatKernels;
import io.lowbit.backend.RandomKernels;

/** The reference backend: plain Java, straight from the numerics contract. */
public class ScalarBackend implements Backend {
    public static final ScalarBackend INSTANCE = new ScalarBackend();

    private final CastKernels casts = new ScalarCasts();
    private final RandomKernels random = new ScalarRandom();
    private final MxKernels mx = new ScalarMx();
    private final HadamardKernels hadamard = new ScalarHadamard();
    private final BlockwiseKernels blockwise = new ScalarBlockwise();
    private final QatKernels qat = new ScalarQat();

    protected ScalarBackend() {}

    @Override public String name() { return "scalar"; }
    @Override public String description() { return "plain Java reference (one element at a time)"; }
    @Override public CastKernels casts() { return casts; }
    @Override public RandomKernels random() { return random; }
    @Override public MxKernels mx() { return mx; }
    @Override public HadamardKernels hadamard() { return hadamard; }
    @Override public BlockwiseKernels blockwise() { return blockwise; }
    @Override public QatKernels qat() { return qat; }
}
