package io.lowbit.cuda;

/**
 * A CUDA runtime call or kernel failed. The message names the operation (for a kernel, the
 * kernel) and the CUDA error, e.g. {@code cudaMalloc of 1099511627776 bytes failed: out of
 * memory (cudaErrorMemoryAllocation)}.
 */
public class CudaException extends RuntimeException {
    private final int error;

    public CudaException(String operation, int error) {
        super(operation + " failed: " + describe(error));
        this.error = error;
    }

    /** The {@code cudaError_t} value. */
    public int error() { return error; }

    /** Throws if {@code error} is not {@code cudaSuccess}. */
    static void check(int error, String operation) {
        if (error != 0) throw new CudaException(operation, error);
    }

    /** "out of memory (cudaErrorMemoryAllocation)": the runtime's words for an error code. */
    static String describe(int error) {
        return LowbitCuda.lb_error_string(error) + " (" + LowbitCuda.lb_error_name(error) + ")";
    }
}
