package io.lowbit.backend.scalar;

import io.lowbit.backend.MxKernels;

/** Reference MX and scaled block quantization, contract sections 4 and 5. */
public class ScalarMx implements MxKernels {
}
