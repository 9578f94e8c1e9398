package io.lowbit.mx;

import io.lowbit.RandomStream;
import io.lowbit.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantizerTest {
    static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        assertMessage("blockSize", () -> Quantizer.mxfp4().blockSize(0));
        assertMessage("blockSize", () -> Quantizer.mxfp4().blockSize(1025));
        assertMessage("blockSize", () -> Quantizer.nvfp4().blockSize(32));
        assertMessage("axis", () -> Quantizer.mxfp4().axis(1));
        assertMessage("axis", () -> Quantizer.nvfp4().axis(0));
        assertMessage("scaleMode", () -> Quantizer.mxint8().scaleMode(ScaleMode.EVEN));
        assertMessage("scaleMode", () -> Quantizer.nvfp4().scaleMode(ScaleMode.CEIL));
        assertMessage("tile", () -> Quantizer.mxfp4().tile(Tile.T16X16));
        assertMessage("x", () -> Quantizer.mxfp4().quantize(null, 1, 1));
        assertMessage("x", () -> Quantizer.mxfp4().quantize(new float[5], 2, 3));
        assertMessage("rows", () -> Quantizer.mxfp4().quantize(new float[0], -1, 0));
        assertMessage("multiples of 16", () -> Quantizer.nvfp4().tile(Tile.T16X16).quantize(new float[16 * 17], 16, 17));
        assertMessage("stream", () -> Quantizer.mxfp4().stochastic(null));
        assertMessage("format", () -> MxFormat.parse("format", "mxfp5"));
        assertMessage("scaleMode", () -> ScaleMode.parse("scaleMode", "up"));
        assertMessage("out", () -> Quantizer.mxfp4().fakeQuantize(new float[4], 1, 4, new float[3], null));
    }

    private static void assertMessage(String part, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void formatsParseByName() {
        for (MxFormat f : MxFormat.values()) {
            assertEquals(f, MxFormat.parse("format", f.id().toUpperCase()));
            assertEquals(f, MxFormat.parse("format", f.id().replace('-', '_')));
        }
    }

    @Test
    void fakeQuantizeEqualsQuantizeThenDequantize() {
        float[] x = gaussian(48 * 48, 5);
        x[3] *= 1e6f;   // one huge value: its neighbours quantize to (signed) zeros
        for (MxFormat f : MxFormat.values()) {
            Quantizer q = Quantizer.of(f);
            if (!f.isScaled()) q = q.blockSize(24).axis(0).scaleMode(ScaleMode.FLOOR);
            else q = q.tile(Tile.T16X16);
            for (Quantizer qq : new Quantizer[] {q, q.stochastic(new RandomStream(9, 3, 1))}) {
                QuantizedTensor t = qq.quantize(x, 48, 48);
                FakeQuantized fq = qq.fakeQuantize(x, 48, 48);
                assertArrayEquals(t.dequantize(), fq.values(), f.toString());
                long count = 0;
                for (byte b : fq.clipMask()) count += b;
                assertEquals(fq.saturated(), count);
            }
        }
    }

    @Test
    void floorScaleSaturatesSomeBlockMaximaButRceilNever() {
        float[] x = gaussian(64 * 64, 6);
        assertTrue(Quantizer.mxfp4().fakeQuantize(x, 64, 64).saturated() > 0);
        assertEquals(0, Quantizer.mxfp4().scaleMode(ScaleMode.RCEIL).fakeQuantize(x, 64, 64).saturated());
    }

    @Test
    void stochasticRoundingIsUnbiasedOnAverage() {
        // 0.3 * 2^k lies between E2M1 neighbours; the mean of many SR draws approaches it.
        int n = 1 << 14;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i % 32 == 0) ? 4f : 0.3f;   // amax 4: e = 0, 0.3 -> {0, 0.5}
        float[] y = Quantizer.mxfp4().stochastic(RandomStream.of(1)).fakeQuantize(x, 1, n).values();
        double sum = 0;
        int count = 0;
        for (int i = 0; i < n; i++) if (i % 32 != 0) { sum += y[i]; count++; }
        assertEquals(0.3, sum / count, 0.01);
    }

    @Test
    void savedTensorsLoadBackAndDamageIsDetected(@TempDir Path dir) throws IOException {
        float[] x = gaussian(20 * 33, 7);
        for (Quantizer q : new Quantizer[] {Quantizer.mxfp4().blockSize(7), Quantizer.mxfp6e3m2().axis(0),
                Quantizer.nvfp4(), Quantizer.ue5m3().tile(Tile.T16X16)}) {
            int rows = q.format().isScaled() && q.tile() == Tile.T16X16 ? 16 : 20;
            int cols = q.format().isScaled() && q.tile() == Tile.T16X16 ? 32 : 33;
            float[] xx = java.util.Arrays.copyOf(x, rows * cols);
            QuantizedTensor t = q.quantize(xx, rows, cols);
            Path f = dir.resolve(q.format() + ".lbq");
            t.save(f);
            QuantizedTensor back = QuantizedTensor.load(f);
            assertEquals(t.format(), back.format());
            assertEquals(t.tile(), back.tile());
            assertArrayEquals(t.scales(), back.scales());
            assertArrayEquals(t.packedCodes(), back.packedCodes());
            assertArrayEquals(t.dequantize(), back.dequantize());

            byte[] bytes = Files.readAllBytes(f);
            bytes[bytes.length / 2] ^= 1;
            IOException damaged = assertThrows(IOException.class, () -> QuantizedTensor.parse(bytes, "f"));
            assertTrue(damaged.getMessage().contains("checksum"), damaged.getMessage());
            byte[] cut = java.util.Arrays.copyOf(Files.readAllBytes(f), bytes.length - 9);
            assertThrows(IOException.class, () -> QuantizedTensor.parse(cut, "f"));
        }
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void packingRoundTripsAndPutsElementZeroInTheLowNibble() {
        Random r = new Random(8);
        for (int bits : new int[] {4, 6, 8}) {
            for (boolean p6 : new boolean[] {false, true}) {
                for (int cols : new int[] {0, 1, 3, 4, 7, 33}) {
                    int rows = 3;
                    byte[] codes = new byte[rows * cols];
                    for (int i = 0; i < codes.length; i++) codes[i] = (byte) r.nextInt(1 << bits);
                    byte[] packed = MxPacking.pack(bits, p6, codes, rows, cols);
                    assertEquals(rows * MxPacking.rowBytes(bits, p6, cols), packed.length);
                    assertArrayEquals(codes, MxPacking.unpack(bits, p6, packed, rows, cols));
                }
            }
        }
        assertArrayEquals(new byte[] {0x21, 0x03}, MxPacking.pack(4, false, new byte[] {1, 2, 3}, 1, 3));
        // 6-bit stream: codes 1, 2, 3, 4 -> bits 000001 000010 000011 000100, LSB first
        assertArrayEquals(new byte[] {(byte) 0x81, 0x30, 0x10}, MxPacking.pack(6, true, new byte[] {1, 2, 3, 4}, 1, 4));
    }

    @Test
    void emptyTensorsWork() {
        QuantizedTensor t = Quantizer.mxfp4().quantize(new float[0], 0, 5);
        assertEquals(0, t.dequantize().length);
        assertEquals(0, Quantizer.nvfp4().quantize(new float[0], 3, 0).scales().length);
        assertEquals(Backends.scalar(), Backends.scalar());
    }
}
