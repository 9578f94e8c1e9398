package io.lowbit.simd;

import io.lowbit.backend.Backend;
import io.lowbit.backend.BackendProvider;
import io.lowbit.backend.BackendUnavailableException;
import io.lowbit.backend.Backends;

/**
 * Plugs the {@code simd} backend into {@link Backends} (ServiceLoader): refused, with the
 * reason, where the library was not built, does not load, or the CPU lacks AVX2/FMA.
 */
public final class SimdBackendProvider implements BackendProvider {
    @Override
    public String name() { return "simd"; }

    @Override
    public Backend create() throws BackendUnavailableException {
        String reason = SimdLibrary.loadFailure();
        if (reason != null) throw new BackendUnavailableException(reason);
        return new SimdBackend(Backends.javaCpu());
    }
}
