package io.lowbit.cuda;

import io.lowbit.ElementFormat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argument checks of CudaHadamard and CudaScaled: they throw before any native call, so they run everywhere. */
class CudaRotChecksTest {

    @Test
    void hadamardRejectsBadSizesShapesAndSigns() {
        CudaHadamard h = new CudaHadamard();
        float[] x = new float[64];
        assertMessage("n must be a power of two in 2..32768, got 3", () -> h.transform(x, x, 1, 64, 3, false, false, null));
        assertMessage("n must be a power of two in 2..32768, got 65536",
                () -> h.transform(x, x, 1, 64, 65536, false, false, null));
        assertMessage("cols must be a multiple of n=16, got 24", () -> h.transform(x, x, 1, 24, 16, false, false, null));
        assertMessage("rows", () -> h.transform(x, x, -1, 64, 16, false, false, null));
        assertMessage("x must hold at least 128", () -> h.transform(x, x, 2, 64, 16, false, false, null));
        float[] signs = new float[16];
        java.util.Arrays.fill(signs, 1f);
        signs[5] = 0.5f;
        assertMessage("signs must be +1 or -1, got 0.5 at 5", () -> h.transform(x, x, 1, 64, 16, false, false, signs));
        assertMessage("signs must hold at least 16", () -> h.transform(x, x, 1, 64, 16, false, false, new float[8]));
        assertMessage("random", () -> CudaHadamard.transformRandomSigns(null, null, 1, 16, 16, false, false, null));
    }

    @Test
    void scaledRejectsBadFormatsAndTiles() {
        assertMessage("scaleFormat must be UE4M3 or UE5M3, got E8M0", () -> CudaScaled.quantize(ElementFormat.E8M0, false,
                null, null, 1, 16, null, null, null, null, null));
        assertMessage("rows and cols must be multiples of 16 for 16x16 tiles, got 8x16", () -> CudaScaled.quantize(
                ElementFormat.UE4M3, true, null, null, 8, 16, null, null, null, null, null));
        assertMessage("x", () -> CudaScaled.quantize(ElementFormat.UE5M3, false, null, null, 1, 16, null, null, null, null,
                null));
        assertMessage("scaleFormat must be UE4M3 or UE5M3, got E2M1", () -> CudaScaled.dequantize(ElementFormat.E2M1, 1f,
                null, null, 1, 16, null));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
