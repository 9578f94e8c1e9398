package io.lowbit.hadamard;

import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.mx.FakeQuantized;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.Tile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused op has the bits of the two ops composed, on every backend, chunked or not. */
class RotateThenQuantizeTest {
    private static void assertSame(QuantizedTensor want, QuantizedTensor got, String what) {
        assertArrayEquals(want.scales(), got.scales(), what + " scales");
        assertArrayEquals(want.packedCodes(), got.packedCodes(), what + " codes");
        assertEquals(Float.floatToRawIntBits(want.tensorScale()), Float.floatToRawIntBits(got.tensorScale()), what + " decT");
        assertEquals(want.rows(), got.rows());
        assertEquals(want.cols(), got.cols());
    }

    @Test
    void equalsTheCompositionOfTheTwoOps() {
        SplittableRandom r = new SplittableRandom(1);
        // 400 x 192 is above one chunk (2^16 floats): the MX cases along rows run as chunks of
        // 341 and 59 rows; 7 x 64 is one chunk.
        int[][] shapes = {{400, 192}, {7, 64}};
        for (Backend backend : Backends.available()) {
            for (int[] shape : shapes) {
                int rows = shape[0], cols = shape[1];
                float[] x = HadamardReferenceTest.randomFloats(r, rows * cols);
                Hadamard rot = Hadamard.builder(32).normalize(true).randomSigns(RandomStream.of(3)).backend(backend).build();
                List<Quantizer> quantizers = List.of(
                        Quantizer.mxfp4().backend(backend),
                        Quantizer.mxfp4().stochastic(new RandomStream(9, 5, 1)).backend(backend),
                        Quantizer.mxfp8e4m3().axis(0).backend(backend),
                        Quantizer.nvfp4().backend(backend),
                        Quantizer.nvfp4().stochastic(RandomStream.of(4)).backend(backend));
                for (Quantizer q : quantizers) {
                    String what = backend.name() + " " + rows + "x" + cols + " " + q.format() + " axis " + q.axis()
                            + (q.random() != null ? " stochastic" : "");
                    float[] rotated = rot.apply(x, rows, cols);
                    RotateThenQuantize fused = RotateThenQuantize.of(rot, q);
                    assertSame(q.quantize(rotated, rows, cols), fused.quantize(x, rows, cols), what);
                    FakeQuantized want = q.fakeQuantize(rotated, rows, cols);
                    FakeQuantized got = fused.fakeQuantize(x, rows, cols);
                    assertArrayEquals(want.values(), got.values(), what + " fake values");
                    assertArrayEquals(want.clipMask(), got.clipMask(), what + " clip mask");
                    assertEquals(want.saturated(), got.saturated(), what + " saturated");
                }
            }
        }
    }

    @Test
    void oddRowLengthsStillChunkOnWordBoundaries() {
        // cols = 2 (n = 2): chunks must start at multiples of 4 elements, i.e. even rows.
        SplittableRandom r = new SplittableRandom(2);
        int rows = 70001, cols = 2;
        float[] x = HadamardReferenceTest.randomFloats(r, rows * cols);
        Hadamard rot = Hadamard.builder(2).normalize(true).build();
        Quantizer q = Quantizer.mxfp4().blockSize(2).stochastic(RandomStream.of(8));
        assertSame(q.quantize(rot.apply(x, rows, cols), rows, cols), RotateThenQuantize.of(rot, q).quantize(x, rows, cols),
                "cols=2");
    }

    @Test
    void checksArgumentsBeforeAnyKernel() {
        Hadamard rot = Hadamard.builder(32).build();
        assertThrows(IllegalArgumentException.class, () -> RotateThenQuantize.of(null, Quantizer.mxfp4()));
        assertThrows(IllegalArgumentException.class, () -> RotateThenQuantize.of(rot, null));
        RotateThenQuantize f = RotateThenQuantize.of(rot, Quantizer.nvfp4().tile(Tile.T16X16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.quantize(new float[8 * 32], 8, 32));
        assertTrue(e.getMessage().contains("16x16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> f.quantize(new float[16 * 48], 16, 48));
        assertTrue(e.getMessage().startsWith("cols"), e.getMessage());
    }
}
