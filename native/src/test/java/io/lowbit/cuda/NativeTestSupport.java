package io.lowbit.cuda;

import io.lowbit.backend.BackendUnavailableException;
import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * When native tests may skip: only when the build did not make the library (no nvcc, or
 * -Dlowbit.cuda=false). If the build made it, failing to load it is a test failure.
 */
final class NativeTestSupport {
    private NativeTestSupport() {}

    static void assumeLibrary() {
        String reason = NativeLibrary.loadFailure();
        if (reason == null) return;
        if ("true".equals(System.getProperty("lowbit.native.available"))) {
            fail("nvcc was found at build time, so the JNI library must load, but: " + reason);
        }
        Assumptions.abort("native library not built (nvcc absent at build time): " + reason);
    }

    static CudaDevice assumeDevice() {
        assumeLibrary();
        try {
            return CudaDevice.probe();
        } catch (BackendUnavailableException e) {
            Assumptions.abort("no CUDA device: " + e.getMessage());
            throw new AssertionError(e);
        }
    }
}
