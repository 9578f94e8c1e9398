package io.lowbit.backend.scalar;

import io.lowbit.backend.BlockwiseKernels;

/** Reference Blockwise quantization with codebooks and the fused optimizer steps, contract section 7. */
public class ScalarBlockwise implements BlockwiseKernels {
}
