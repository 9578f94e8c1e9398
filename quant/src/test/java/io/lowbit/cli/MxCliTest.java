package io.lowbit.cli;

import io.lowbit.RandomStream;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.io.Safetensors;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.ScaleMode;
import io.lowbit.mx.Tile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MxCliTest {
    static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void npyRoundTripsThroughQuantizeAndDequantize(@TempDir Path dir) throws Exception {
        float[] x = gaussian(32 * 48, 1);
        Path in = dir.resolve("w.npy");
        Npy.write(in, NpyArray.of(x, 32, 48));
        Path q = dir.resolve("w.safetensors");
        assertEquals(0, Main.run("quantize", "--format", "mxfp6-e2m3", "--block-size", "16", "--axis", "0",
                "--scale-mode", "ceil", "--in", in.toString(), "--out", q.toString()));
        Path back = dir.resolve("back.npy");
        assertEquals(0, Main.run("dequantize", "--in", q.toString(), "--out", back.toString()));
        float[] want = Quantizer.mxfp6e2m3().blockSize(16).axis(0).scaleMode(ScaleMode.CEIL)
                .quantize(x, 32, 48).dequantize();
        NpyArray got = Npy.read(back);
        assertArrayEquals(new int[] {32, 48}, got.shape());
        assertArrayEquals(want, got.floats());

        Path lbq = dir.resolve("w.lbq");
        assertEquals(0, Main.run("quantize", "--format", "nvfp4", "--tile", "16x16", "--rounding", "sr", "--seed", "5",
                "--in", in.toString(), "--out", lbq.toString()));
        assertEquals(0, Main.run("dequantize", "--in", lbq.toString(), "--out", back.toString()));
        float[] sr = Quantizer.nvfp4().tile(Tile.T16X16).stochastic(new RandomStream(5, 0, 0))
                .quantize(x, 32, 48).dequantize();
        assertArrayEquals(sr, Npy.read(back).floats());
    }

    @Test
    void safetensorsFilesQuantizeEveryMatrixAndCopyTheRest(@TempDir Path dir) throws Exception {
        Safetensors.Contents c = new Safetensors.Contents();
        c.tensors().put("a", Safetensors.Tensor.ofFloats(gaussian(8 * 64, 2), 8, 64));
        c.tensors().put("b", Safetensors.Tensor.ofFloats(gaussian(2 * 4 * 32, 3), 2, 4, 32));
        c.tensors().put("bias", Safetensors.Tensor.ofFloats(gaussian(5, 4), 5));
        Path in = dir.resolve("m.safetensors");
        Safetensors.write(in, c);
        Path q = dir.resolve("q.safetensors");
        assertEquals(0, Main.run("quantize", "--format", "mxfp4", "--in", in.toString(), "--out", q.toString()));
        Safetensors.Contents qc = Safetensors.read(q);
        assertTrue(qc.tensors().containsKey("a_blocks"));
        assertTrue(qc.tensors().containsKey("b_scales"));
        assertArrayEquals(c.tensors().get("bias").data(), qc.tensors().get("bias").data());
        Path back = dir.resolve("back.safetensors");
        assertEquals(0, Main.run("dequantize", "--in", q.toString(), "--out", back.toString()));
        Safetensors.Contents bc = Safetensors.read(back);
        assertArrayEquals(new long[] {2, 4, 32}, bc.tensors().get("b").shape());
        assertArrayEquals(Quantizer.mxfp4().quantize(c.tensors().get("a").floats(), 8, 64).dequantize(),
                bc.tensors().get("a").floats());
    }

    @Test
    void statsReportsEveryTensor(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("w.npy");
        Npy.write(in, NpyArray.of(gaussian(16 * 64, 5), 16, 64));
        PrintStream old = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            assertEquals(0, Main.run("stats", "--format", "mxfp8-e4m3", "--in", in.toString()));
        } finally {
            System.setOut(old);
        }
        String out = captured.toString();
        assertTrue(out.contains("sqnr_dB") && out.contains("w "), out);
        String[] fields = out.split("\n")[1].trim().split("\\s+");
        double sqnr = Double.parseDouble(fields[3]);
        assertTrue(sqnr > 25 && sqnr < 40, "E4M3 SQNR of a Gaussian is about 31 dB, got " + sqnr);
    }

    @Test
    void badArgumentsExitTwoAndLeaveNoOutput(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("w.npy");
        Npy.write(in, NpyArray.of(gaussian(20, 6), 4, 5));
        Path out = dir.resolve("o.safetensors");
        assertEquals(2, Main.run("quantize", "--format", "mxfp4", "--block-size", "0", "--in", in.toString(), "--out", out.toString()));
        assertEquals(2, Main.run("quantize", "--format", "mxfp5", "--in", in.toString(), "--out", out.toString()));
        assertEquals(2, Main.run("quantize", "--format", "nvfp4", "--tile", "16x16", "--in", in.toString(), "--out", out.toString()));
        assertEquals(2, Main.run("quantize", "--format", "mxint8", "--scale-mode", "even", "--in", in.toString(), "--out", out.toString()));
        Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2, 3});
        assertEquals(1, Main.run("dequantize", "--in", dir.resolve("bad.safetensors").toString(), "--out", out.toString()));
        assertFalse(Files.exists(out));
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count());   // w.npy and bad.safetensors only: no partial or temporary file
        }
    }
}
