package io.lowbit.cuda;

import io.lowbit.backend.Backend;
import io.lowbit.backend.BackendProvider;
import io.lowbit.backend.BackendUnavailableException;

/**
 * Plugs the CUDA backend into {@link io.lowbit.backend.Backends} (ServiceLoader). Creating it
 * loads the JNI library and probes device 0; any failure is a {@link BackendUnavailableException}
 * with the reason (library not built, no driver, no device, compute capability below 8.0).
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() { return "cuda"; }

    @Override
    public Backend create() throws BackendUnavailableException {
        String reason = NativeLibrary.loadFailure();
        if (reason != null) throw new BackendUnavailableException(reason);
        try {
            return new CudaBackend(CudaDevice.probe());
        } catch (BackendUnavailableException e) {
            throw e;
        } catch (Throwable t) {   // a probe must never take the JVM (or the caller) down
            throw new BackendUnavailableException("CUDA device probe failed: " + t, t);
        }
    }
}
