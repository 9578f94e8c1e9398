package io.lowbit.backend;

/** Hadamard transforms, contract section 6. */
public interface HadamardKernels {
}
