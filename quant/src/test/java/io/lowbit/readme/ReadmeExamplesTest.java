package io.lowbit.readme;

import io.lowbit.CastOptions;
import io.lowbit.Casts;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.hadamard.Hadamard;
import io.lowbit.hadamard.RotateThenQuantize;
import io.lowbit.io.Safetensors;
import io.lowbit.mx.FakeQuantized;
import io.lowbit.mx.MxSafetensors;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.ScaleMode;
import io.lowbit.mx.Tile;
import io.lowbit.optim.AdamW;
import io.lowbit.optim.LrSchedule;
import io.lowbit.optim.Param;
import io.lowbit.optim.ParamGroup;
import io.lowbit.qat.LsqQuantizer;
import io.lowbit.qat.ScaleFreezer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java examples of README.md, as written there, so that they keep compiling and working. */
class ReadmeExamplesTest {
    final int rows = 32, cols = 128;
    final float[] x = random(rows * cols, 1), w = random(rows * cols, 2), grad = random(rows * cols, 3);

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    @Test
    void casts() {
        float[] x = {0.3f, -1.7f, 500f, Float.NaN};
        byte[] e4m3 = Casts.encode(ElementFormat.E4M3, x, CastOptions.RNE_SATURATE);   // 500 -> 448
        float[] back = Casts.decode(ElementFormat.E4M3, e4m3);
        byte[] fp4 = Casts.encode(ElementFormat.E2M1, x, CastOptions.stochastic(RandomStream.of(42), true));
        assertEquals(448f, back[2]);
        assertEquals(4, fp4.length);
    }

    @Test
    void mxAndNvfp4(@TempDir Path dir) throws Exception {
        QuantizedTensor q = Quantizer.mxfp4().blockSize(32).axis(-1).scaleMode(ScaleMode.FLOOR)
                .quantize(x, rows, cols);
        float[] deq = q.dequantize();
        FakeQuantized f = Quantizer.nvfp4().tile(Tile.T16X16)
                .stochastic(RandomStream.of(7)).fakeQuantize(w, rows, cols);
        Safetensors.Contents file = new Safetensors.Contents();
        MxSafetensors.put(file, "mlp.weight", q, new long[] {rows, cols});
        Safetensors.write(dir.resolve("model.safetensors"), file);
        assertEquals(rows * cols, deq.length);
        assertEquals(rows * cols, f.values().length);
        assertArrayEquals(deq, MxSafetensors.quantized(Safetensors.read(dir.resolve("model.safetensors")))
                .get("mlp.weight").tensor().dequantize());
    }

    @Test
    void hadamard() {
        Hadamard h = Hadamard.builder(128).normalize(true).randomSigns(RandomStream.of(1)).build();
        float[] y = h.apply(x, rows, cols);
        float[] xBack = h.inverse().apply(y, rows, cols);
        QuantizedTensor g = RotateThenQuantize.of(Hadamard.builder(16).normalize(true)
                .randomSigns(RandomStream.of(3)).build(), Quantizer.nvfp4().stochastic(RandomStream.of(4)))
                .quantize(grad, rows, cols);
        for (int i = 0; i < x.length; i++) assertEquals(x[i], xBack[i], 1e-5f);
        assertEquals(rows * cols, g.dequantize().length);
    }

    @Test
    void adamW8bit(@TempDir Path dir) throws Exception {
        float[] w = random(8192, 4), b = new float[64], gradW = random(8192, 5), gradB = random(64, 6);
        AdamW opt = AdamW.builder().lr(1e-3).weightDecay(0.01).stateBits(8)
                .build(ParamGroup.of(Param.f32("w", w), Param.f32("b", b)));
        opt.schedule(LrSchedule.warmupCosine(100, 10_000));
        opt.step(gradW, gradB);
        opt.save(dir.resolve("opt.lbo"));
        assertTrue(Files.size(dir.resolve("opt.lbo")) > 0);
        assertTrue(opt.totalStateBytes() < 0.3 * 2 * 4 * (8192 + 64) + 2 * 4 * 64 + 1024);
    }

    @Test
    void lsqWithScaleFreezing() {
        float[] gradWq = grad, smoothnessDs = new float[rows];
        LsqQuantizer lsq = LsqQuantizer.initPerChannel(4, true, rows, cols, w);
        float[] wq = lsq.forward(w);
        LsqQuantizer.Gradients g = lsq.backward(w, gradWq);
        ScaleFreezer freezer = new ScaleFreezer(8, 0.25, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.PERMANENT, null);
        float[] ds = freezer.step("layer0", g.ds(), smoothnessDs);
        assertEquals(w.length, wq.length);
        assertEquals(rows, ds.length);
    }
}
