package io.lowbit.backend;

/** Blockwise quantization with codebooks and the fused optimizer steps, contract section 7. */
public interface BlockwiseKernels {
}
