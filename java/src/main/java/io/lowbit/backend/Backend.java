package io.lowbit.backend;

/**
 * The one kernel interface of lowbit. A backend bundles one implementation of every
 * kernel family; the families are small interfaces so that each can be read (and
 * tested) on its own.
 *
 * <p>Implementations: {@code scalar} (plain Java written straight from the numerics
 * contract: the reference every other backend is tested against, bit for bit),
 * {@code vector} (the Vector API, where the JVM was started with
 * {@code --add-modules jdk.incubator.vector}), and {@code cuda} (module lowbit-native).
 *
 * <p>Kernels receive arguments that the public API has already checked: lengths,
 * formats and ranges are valid when a kernel is called. Kernels must not be given
 * unchecked user input.
 */
public interface Backend {
    /** Short name: "scalar", "vector", "simd" or "cuda". */
    String name();

    /** One line for {@code lowbit info}: what runs the kernels. */
    String description();

    /** Element casts, contract section 2. */
    CastKernels casts();

    /** The Philox stream, contract section 3. */
    RandomKernels random();

    /** MX and scaled (NVFP4, UE5M3) block quantization, contract sections 4-5. */
    MxKernels mx();

    /** Hadamard transforms, contract section 6. */
    HadamardKernels hadamard();

    /** Blockwise codebook quantization and fused optimizer steps, contract section 7. */
    BlockwiseKernels blockwise();

    /** Learned-step-size fake quantization, contract section 8. */
    QatKernels qat();
}
