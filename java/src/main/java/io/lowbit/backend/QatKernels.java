package io.lowbit.backend;

/** Learned-step-size fake quantization (QAT), contract section 8. */
public interface QatKernels {
}
