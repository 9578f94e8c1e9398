package io.lowbit.backend.vector;

import io.lowbit.backend.Backend;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.CastKernels;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.MxKernels;
import io.lowbit.backend.QatKernels;
import io.lowbit.backend.RandomKernels;
import io.lowbit.backend.scalar.ScalarRandom;
import jdk.incubator.vector.FloatVector;

/**
 * CPU backend on the Vector API. Loaded by {@link io.lowbit.backend.Backends} only when the
 * JVM has the jdk.incubator.vector module, so no other class may refer to this one.
 * Kernels it does not accelerate are the scalar ones. Before changing a kernel here, read
 * docs/vector-api-notes.md: on JDK 17 a second vector shape of one element type, or a
 * vector-typed helper method, can make C2 box vectors and run the kernel several times slower.
 */
public final class VectorBackend implements Backend {
    public static final VectorBackend INSTANCE = new VectorBackend();

    private final CastKernels casts = new VectorCasts();
    private final RandomKernels random = new ScalarRandom();
    private final MxKernels mx = new VectorMx();
    private final HadamardKernels hadamard = new VectorHadamard();
    private final BlockwiseKernels blockwise = new VectorBlockwise();
    private final QatKernels qat = new VectorQat();

    private VectorBackend() {}

    @Override public String name() { return "vector"; }

    @Override
    public String description() {
        return "Java Vector API, " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit vectors";
    }

    @Override public CastKernels casts() { return casts; }
    @Override public RandomKernels random() { return random; }
    @Override public MxKernels mx() { return mx; }
    @Override public HadamardKernels hadamard() { return hadamard; }
    @Override public BlockwiseKernels blockwise() { return blockwise; }
    @Override public QatKernels qat() { return qat; }
}
