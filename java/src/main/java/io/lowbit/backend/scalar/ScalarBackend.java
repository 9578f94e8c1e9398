package io.lowbit.backend.scalar;

import io.lowbit.backend.Backend;
import io.lowbit.backend.CastKernels;
import io.lowbit.backend.RandomKernels;

/** The reference backend: plain Java, straight from the numerics contract. */
public class ScalarBackend implements Backend {
    public static final ScalarBackend INSTANCE = new ScalarBackend();

    private final CastKernels casts = new ScalarCasts();
    private final RandomKernels random = new ScalarRandom();

    protected ScalarBackend() {}

    @Override public String name() { return "scalar"; }
    @Override public String description() { return "plain Java reference (one element at a time)"; }
    @Override public CastKernels casts() { return casts; }
    @Override public RandomKernels random() { return random; }
}
