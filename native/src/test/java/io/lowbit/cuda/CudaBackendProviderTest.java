package io.lowbit.cuda;

import io.lowbit.backend.Backend;
import io.lowbit.backend.BackendUnavailableException;
import io.lowbit.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The provider on whatever this machine is: a backend, or a clear reason (and a live JVM). */
class CudaBackendProviderTest {

    @Test
    void createsABackendOrSaysWhyNot() {
        CudaBackendProvider provider = new CudaBackendProvider();
        assertEquals("cuda", provider.name());
        try {
            Backend b = provider.create();
            assertEquals("cuda", b.name());
            assertTrue(b.description().contains("compute capability"), b.description());
        } catch (BackendUnavailableException e) {
            String reason = e.getMessage();
            assertNotNull(reason);
            if (NativeLibrary.isLoaded()) {
                assertTrue(reason.contains("driver") || reason.contains("device") || reason.contains("capability"),
                        "reason names the missing piece: " + reason);
            } else {
                assertTrue(reason.startsWith("native library"), reason);
            }
        }
    }

    @Test
    void backendsListsCudaWithTheSameVerdict() {
        Backends.Status cuda = Backends.probeAll().stream().filter(s -> s.name().equals("cuda")).findFirst().orElseThrow();
        if (cuda.available()) {
            assertTrue(cuda.backend() instanceof CudaBackend);
        } else {
            assertFalse(cuda.reason().isBlank());
            assertFalse(cuda.reason().contains("not on the class path"), "found through ServiceLoader: " + cuda.reason());
        }
    }

    @Test
    void libraryNotBuiltIsReportedAsSuch() {
        // the build either bundles the library (nvcc present) or not; the reason must match
        if (!NativeLibrary.bundled()) {
            assertTrue(NativeLibrary.loadFailure().contains("not built"), NativeLibrary.loadFailure());
        } else if ("true".equals(System.getProperty("lowbit.native.available"))) {
            assertEquals(null, NativeLibrary.loadFailure());
        }
    }
}
