package io.lowbit.backend.scalar;

import io.lowbit.backend.QatKernels;

/** Reference Learned-step-size fake quantization (QAT), contract section 8. */
public class ScalarQat implements QatKernels {
}
