package io.lowbit.cuda;

import io.lowbit.backend.QatKernels;
import io.lowbit.backend.UnsupportedKernels;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnsupportedKernelsTest {
    interface SomeFamily {
        void quantize(float[] x, int n);
        int blocks();
    }

    @Test
    void everyMethodThrowsNamingFamilyAndMethod() {
        SomeFamily k = UnsupportedKernels.of(SomeFamily.class, "CUDA", "some");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> k.quantize(new float[1], 1));
        assertEquals("no CUDA kernel for some.quantize yet", e.getMessage());
        e = assertThrows(UnsupportedOperationException.class, k::blocks);
        assertEquals("no CUDA kernel for some.blocks yet", e.getMessage());
        // Object's methods still work
        assertEquals(k, k);
        assertNotEquals(k, UnsupportedKernels.of(SomeFamily.class, "CUDA", "some"));
        assertTrue(k.toString().contains("some"));
        k.hashCode();
    }

    @Test
    void onlyInterfaces() {
        assertThrows(IllegalArgumentException.class, () -> UnsupportedKernels.of(String.class, "CUDA", "x"));
    }

    @Test
    void cudaBackendUsesItForFamiliesWithoutKernels() {
        CudaBackend b = new CudaBackend(new CudaDevice(0, "test", 9, 0, 1, 1L << 30, 13000, 13000));
        QatKernels q = b.qat();
        assertTrue(q.toString().contains("qat"), q.toString());
        assertTrue(b.hadamard() instanceof CudaHadamard);
        assertTrue(b.description().contains("compute capability 9.0"), b.description());
    }
}
