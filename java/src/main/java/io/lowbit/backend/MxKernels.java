package io.lowbit.backend;

/** MX and scaled block quantization, contract sections 4 and 5. */
public interface MxKernels {
}
