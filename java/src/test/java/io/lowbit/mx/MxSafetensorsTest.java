package io.lowbit.mx;

import io.lowbit.io.Safetensors;
import io.lowbit.io.Safetensors.Contents;
import io.lowbit.io.Safetensors.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MxSafetensorsTest {

    /**
     * An independent gpt-oss MXFP4 decoder written from the layout description: blocks
     * [..., nblocks, 16] bytes of 32 E2M1 codes (low nibble first), scales [..., nblocks]
     * E8M0 (2^(s-127)); E2M1 magnitudes 0, .5, 1, 1.5, 2, 3, 4, 6, bit 3 the sign.
     */
    static float[] decodeGptOss(byte[] blocks, byte[] scales) {
        double[] lut = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
        float[] out = new float[blocks.length * 2];
        for (int b = 0; b < scales.length; b++) {
            double scale = Math.pow(2, (scales[b] & 0xFF) - 127);
            for (int j = 0; j < 16; j++) {
                int byt = blocks[b * 16 + j] & 0xFF;
                for (int half = 0; half < 2; half++) {
                    int code = half == 0 ? byt & 0xF : byt >> 4;
                    double v = lut[code & 7] * ((code & 8) != 0 ? -1 : 1);
                    out[b * 32 + 2 * j + half] = (float) (v * scale);
                }
            }
        }
        return out;
    }

    @Test
    void gptOssLayoutDecodesIndependentlyToTheSameValues(@TempDir Path dir) throws IOException {
        float[] x = QuantizerTest.gaussian(2 * 3 * 64, 21);
        x[5] = 1e-30f;
        QuantizedTensor q = Quantizer.mxfp4().quantize(x, 6, 64);
        Contents c = new Contents();
        MxSafetensors.put(c, "model.w", q, new long[] {2, 3, 64});
        c.tensors().put("bias", Tensor.ofFloats(new float[] {1, 2, 3}, 3));
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, c);

        Contents back = Safetensors.read(f);
        Tensor blocks = back.tensors().get("model.w_blocks");
        Tensor scales = back.tensors().get("model.w_scales");
        assertArrayEquals(new long[] {2, 3, 2, 16}, blocks.shape());
        assertArrayEquals(new long[] {2, 3, 2}, scales.shape());
        float[] independent = decodeGptOss(blocks.data(), scales.data());
        float[] lowbit = q.dequantize();
        assertArrayEquals(lowbit, independent);
        Map<String, MxSafetensors.Entry> read = MxSafetensors.quantized(back);
        assertArrayEquals(lowbit, read.get("model.w").tensor().dequantize());
        assertArrayEquals(new long[] {2, 3, 64}, read.get("model.w").shape());
        assertArrayEquals(new float[] {1, 2, 3}, back.tensors().get("bias").floats());
    }

    @Test
    void otherFormatsUseLowbitsLayout(@TempDir Path dir) throws IOException {
        float[] x = QuantizerTest.gaussian(32 * 48, 22);
        Contents c = new Contents();
        QuantizedTensor a = Quantizer.nvfp4().tile(Tile.T16X16).quantize(x, 32, 48);
        QuantizedTensor b = Quantizer.mxfp6e2m3().axis(0).blockSize(7).quantize(x, 32, 48);
        QuantizedTensor d = Quantizer.mxfp4().blockSize(16).quantize(x, 32, 48);
        MxSafetensors.put(c, "a", a, new long[] {32, 48});
        MxSafetensors.put(c, "b", b, new long[] {4, 8, 48});
        MxSafetensors.put(c, "d", d, new long[] {32, 48});
        Path f = dir.resolve("q.safetensors");
        Safetensors.write(f, c);
        Map<String, MxSafetensors.Entry> read = MxSafetensors.read(f);
        assertArrayEquals(a.dequantize(), read.get("a").tensor().dequantize());
        assertEquals(Tile.T16X16, read.get("a").tensor().tile());
        assertArrayEquals(b.dequantize(), read.get("b").tensor().dequantize());
        assertArrayEquals(new long[] {4, 8, 48}, read.get("b").shape());
        assertArrayEquals(d.dequantize(), read.get("d").tensor().dequantize());
    }

    @Test
    void halfAndBfloatDtypesRead() throws IOException {
        Contents c = new Contents();
        ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) 0x3C00).putShort((short) 0xC000);   // FP16 1, -2
        c.tensors().put("h", new Tensor(Safetensors.Dtype.F16, new long[] {2}, h.array()));
        ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        bf.putShort((short) 0x3F80).putShort((short) 0x4040);  // BF16 1, 3
        c.tensors().put("b", new Tensor(Safetensors.Dtype.BF16, new long[] {2}, bf.array()));
        c.metadata().put("k", "v");
        Contents back = Safetensors.parse(Safetensors.toBytes(c), "mem");
        assertArrayEquals(new float[] {1, -2}, back.tensors().get("h").floats());
        assertArrayEquals(new float[] {1, 3}, back.tensors().get("b").floats());
        assertEquals("v", back.metadata().get("k"));
    }

    @Test
    void damagedFilesFailClearly() throws IOException {
        Contents c = new Contents();
        c.tensors().put("x", Tensor.ofFloats(new float[64], 8, 8));
        byte[] good = Safetensors.toBytes(c);

        IOException truncated = assertThrows(IOException.class,
                () -> Safetensors.parse(Arrays.copyOf(good, good.length - 4), "t"));
        assertTrue(truncated.getMessage().contains("outside"), truncated.getMessage());
        assertThrows(IOException.class, () -> Safetensors.parse(Arrays.copyOf(good, 5), "t"));
        byte[] longHeader = good.clone();
        ByteBuffer.wrap(longHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        IOException beyond = assertThrows(IOException.class, () -> Safetensors.parse(longHeader, "t"));
        assertTrue(beyond.getMessage().contains("beyond"), beyond.getMessage());
        byte[] badJson = good.clone();
        badJson[8] = 'x';
        assertThrows(IOException.class, () -> Safetensors.parse(badJson, "t"));

        Contents mismatched = new Contents();
        mismatched.tensors().put("w_blocks", Tensor.ofBytes(new byte[64], 2, 2, 16));
        mismatched.tensors().put("w_scales", Tensor.ofBytes(new byte[3], 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MxSafetensors.quantized(mismatched));
        assertTrue(e.getMessage().contains("w_scales"), e.getMessage());
        Contents lonely = new Contents();
        lonely.tensors().put("w_scales", Tensor.ofBytes(new byte[3], 3));
        assertThrows(IllegalArgumentException.class, () -> MxSafetensors.quantized(lonely));
    }

    @Test
    void failedWriteLeavesNoFile(@TempDir Path dir) throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        Contents c = new Contents();
        c.tensors().put("x", Tensor.ofFloats(new float[4], 4));
        assertThrows(IOException.class, () -> Safetensors.write(blocker.resolve("out.safetensors"), c));
        Safetensors.write(dir.resolve("ok.safetensors"), c);
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count());   // "file" and "ok.safetensors", no temporary left
        }
    }
}
