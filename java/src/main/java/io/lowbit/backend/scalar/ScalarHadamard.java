package io.lowbit.backend.scalar;

import io.lowbit.backend.HadamardKernels;

/** Reference Hadamard transforms, contract section 6. */
public class ScalarHadamard implements HadamardKernels {
}
