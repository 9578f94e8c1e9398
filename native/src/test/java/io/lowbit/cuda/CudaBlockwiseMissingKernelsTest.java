package io.lowbit.cuda;

import io.lowbit.Codebook;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.LionScalars;
import io.lowbit.backend.SgdScalars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Blockwise methods without a CUDA kernel fail clearly, before touching the device (runs everywhere). */
class CudaBlockwiseMissingKernelsTest {
    private final BlockwiseKernels k = new CudaBackend(new CudaDevice(0, "test", 9, 0, 1, 1L << 30, 13000, 13000)).blockwise();

    @Test
    void methodsWithoutKernelsNameThemselves() {
        float[] f = new float[4];
        byte[] b = new byte[4];
        SgdScalars sgd = new SgdScalars(0.1f, 0.9f, 0f);
        LionScalars lion = new LionScalars(0.1f, 0.9f, 0.1f, 0.99f, 0.01f, 1f);
        expect("quantize4", () -> k.quantize4(Codebook.NF4, 2, f, 4, f, b, 0, 2));
        expect("dequantize4", () -> k.dequantize4(Codebook.NF4, 2, b, f, 4, f, 0, 2));
        expect("adamw4", () -> k.adamw4(null, Codebook.DYNAMIC_SIGNED_4, Codebook.LINEAR4, 2, f, f, b, f, b, f, 4, 0, 2));
        expect("sgd8", () -> k.sgd8(sgd, Codebook.DYNAMIC_SIGNED, 2, f, f, b, f, 4, 0, 2));
        expect("sgd32", () -> k.sgd32(sgd, f, f, f, 0, 4));
        expect("lion8", () -> k.lion8(lion, Codebook.DYNAMIC_SIGNED, 2, f, f, b, f, 4, 0, 2));
        expect("lion32", () -> k.lion32(lion, f, f, f, 0, 4));
    }

    private static void expect(String method, Executable call) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, call);
        assertEquals("no CUDA kernel for blockwise." + method + " yet", e.getMessage());
    }
}
