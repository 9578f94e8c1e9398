package io.lowbit.optim;

import io.lowbit.Blockwise;
import io.lowbit.CastOptions;
import io.lowbit.Casts;
import io.lowbit.Codebook;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

class OptimizerTest {
    static float[] gauss(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * scale);
        return x;
    }

    /** Builds one optimizer of each kind over fresh copies of the same parameters. */
    static List<Supplier<Optimizer>> kinds(Backend be, Param... ps) {
        return List.of(
                () -> AdamW.builder().backend(be).lr(1e-2).stateBits(8).build(ParamGroup.of(ps)),
                () -> AdamW.builder().backend(be).lr(1e-2).stateBits(32).build(ParamGroup.of(ps)),
                () -> AdamW4bit.builder().backend(be).lr(1e-2).build(ParamGroup.of(ps)),
                () -> SgdMomentum.builder().backend(be).lr(1e-2).build(ParamGroup.of(ps)),
                () -> Lion.builder().backend(be).lr(1e-3).build(ParamGroup.of(ps)),
                () -> AdamW.builder().backend(be).lr(1e-2).spam(new AdamW.Spam(5000, 3, 2)).build(ParamGroup.of(ps)),
                () -> AdamW.builder().backend(be).lr(1e-2).stableSpam(new AdamW.StableSpam(0.7, 0.9, 0.999, 3, 2)).build(ParamGroup.of(ps)));
    }

    private static float[][] run(Backend be, int kind, int threads, int n, int steps) {
        float[] w = gauss(1, n, 1), b = gauss(2, 300, 1);
        Optimizer opt = kinds(be, Param.f32("w", w), Param.f32("b", b)).get(kind).get().threads(threads);
        for (int t = 0; t < steps; t++) {
            float[] gw = gauss(100 + t, n, 0.1), gb = gauss(200 + t, 300, 0.1);
            if (t == 2) { gw[5] = Float.NaN; gw[n - 1] = Float.POSITIVE_INFINITY; }
            opt.step(gw, gb);
        }
        return new float[][] {w, b, opt.states(0).get(0).toFloats(Blockwise.on(Backends.scalar()))};
    }

    @Test
    void everyOptimizerGivesTheSameBitsOnAnyBackendAndThreadCount() {
        int n = 70_000 + 77;  // above the parallel threshold, partial last block
        for (int kind = 0; kind < 7; kind++) {
            float[][] ref = run(Backends.scalar(), kind, 1, n, 5);
            for (Backend be : Backends.available()) {
                for (int threads : new int[] {1, 2, 3}) {
                    float[][] got = run(be, kind, threads, n, 5);
                    for (int a = 0; a < ref.length; a++) assertArrayEquals(ref[a], got[a], "kind " + kind + " " + be.name() + " threads " + threads);
                }
            }
        }
    }

    @Test
    void adamw8StepIsTheKernelStep() {
        int n = 5000;
        float[] w = gauss(3, n, 1), w2 = w.clone();
        AdamW opt = AdamW.builder().backend(Backends.scalar()).lr(0.01).betas(0.8, 0.99).eps(1e-6).weightDecay(0.1).build(ParamGroup.of(Param.f32("w", w)));
        Blockwise.Quantized m = Blockwise.on(Backends.scalar()).quantize(Codebook.DYNAMIC_SIGNED, new float[n], 256);
        Blockwise.Quantized v = Blockwise.on(Backends.scalar()).quantize(Codebook.DYNAMIC_UNSIGNED, new float[n], 256);
        for (int t = 1; t <= 3; t++) {
            float[] g = gauss(10 + t, n, 0.1);
            opt.step(g);
            Backends.scalar().blockwise().adamw8(AdamWScalars.of(0.01, 0.8, 0.99, 1e-6, 0.1, t), Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED,
                    256, w2, g, m.codes(), m.absmax(), v.codes(), v.absmax(), n, 0, Blockwise.blocks(n, 256));
        }
        assertArrayEquals(w2, w);
        assertEquals(3, opt.steps());
    }

    @Test
    void stateBytesAndSmallTensorsKeepFloat32() {
        Param big = Param.f32("big", new float[10_000]), small = Param.f32("small", new float[4095]);
        assertEquals(List.of(2L * (10_000 + 4L * 40), 8L * 4095),
                List.copyOf(AdamW.builder().build(ParamGroup.of(big, small)).stateBytes().values()));
        assertEquals(8L * 10_000, AdamW.builder().stateBits(32).build(ParamGroup.of(big)).totalStateBytes());
        assertEquals(2L * (5000 + 4L * 79), AdamW4bit.builder().build(ParamGroup.of(big)).totalStateBytes());
        assertEquals(10_000 + 4L * 40, SgdMomentum.builder().build(ParamGroup.of(big)).totalStateBytes());
        assertEquals(10_000 + 4L * 40, Lion.builder().build(ParamGroup.of(big)).totalStateBytes());
        assertEquals(32, AdamW.builder().build(ParamGroup.of(small)).states(0).get(0).bits());
    }

    @Test
    void badInputThrowsBeforeAnythingChanges() {
        float[] w = gauss(4, 5000, 1), b = gauss(5, 10, 1);
        float[] w0 = w.clone(), b0 = b.clone();
        AdamW opt = AdamW.builder().build(ParamGroup.of(Param.f32("w", w)), ParamGroup.of(0.1, 0.0, Param.f32("b", b)));
        assertThrows(IllegalArgumentException.class, () -> opt.step(new float[5000]));
        assertThrows(IllegalArgumentException.class, () -> opt.step(new float[5000], new float[11]));
        assertThrows(IllegalArgumentException.class, () -> opt.step(new float[5000], null));
        opt.schedule((t, base) -> -base);
        assertThrows(IllegalArgumentException.class, () -> opt.step(gauss(6, 5000, 1), gauss(7, 10, 1)));
        assertArrayEquals(w0, w);
        assertArrayEquals(b0, b);
        assertEquals(0, opt.steps());
        assertArrayEquals(new float[5000], opt.states(0).get(0).toFloats(Blockwise.chosen()));
        ParamGroup g = ParamGroup.of(Param.f32("w", w));
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().lr(-1).build(g));
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().betas(1.0, 0.9).build(g));
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().betas(0.9, -0.1).build(g));
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().eps(0).build(g));
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().stateBits(16).build(g));
        assertThrows(IllegalArgumentException.class, () -> Lion.builder().betas(0.9, 1.5).build(g));
        assertThrows(IllegalArgumentException.class, () -> SgdMomentum.builder().momentum(1).build(g));
        assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(-0.1, 0, Param.f32("w", w)));
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().build(ParamGroup.of(Param.f32("w", w), Param.f32("w", w))));
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().build(ParamGroup.of(Param.f32("w", w), Param.f32("w2", w))));
    }

    @Test
    void groupsHaveTheirOwnLrAndScheduleScalesIt() {
        float[] a = gauss(8, 5000, 1), b = gauss(9, 5000, 1), a0 = a.clone(), b0 = b.clone();
        AdamW opt = AdamW.builder().lr(0.01).build(ParamGroup.of(0.0, 0.0, Param.f32("a", a)), ParamGroup.of(0.01, 0.5, Param.f32("b", b)));
        opt.step(gauss(10, 5000, 1), gauss(11, 5000, 1));
        assertArrayEquals(a0, a);  // lr 0: no update, no decay
        assertFalse(java.util.Arrays.equals(b0, b));
        float[] c = gauss(12, 5000, 1), c0 = c.clone();
        AdamW sched = AdamW.builder().lr(0.01).build(ParamGroup.of(Param.f32("c", c)));
        sched.schedule((t, base) -> t == 1 ? 0 : base);
        sched.step(gauss(13, 5000, 1));
        assertArrayEquals(c0, c);
        sched.step(gauss(14, 5000, 1));
        assertFalse(java.util.Arrays.equals(c0, c));
    }

    @Test
    void bf16ParametersUseTheDocumentedStochasticRounding() {
        int n = 6000;
        short[] codes = Casts.on(Backends.scalar()).encodeShorts(ElementFormat.BF16, gauss(15, n, 1), CastOptions.RNE);
        short[] start = codes.clone();
        Param p = Param.bf16("w", codes);
        AdamW opt = AdamW.builder().lr(0.01).build(ParamGroup.of(Param.f32("other", new float[3]), ParamGroup.of(p).params().get(0)));
        opt.bf16Seed(77);
        float[] g = gauss(16, n, 0.1);
        opt.step(new float[3], g);
        // independent recomputation: float32 view, the same step on float32, SR with (seed, 0, param index 1)
        float[] f = Casts.on(Backends.scalar()).decodeShorts(ElementFormat.BF16, start);
        AdamW ref = AdamW.builder().lr(0.01).build(ParamGroup.of(Param.f32("w", f)));
        ref.step(g);
        short[] want = Casts.on(Backends.scalar()).encodeShorts(ElementFormat.BF16, f, CastOptions.stochastic(new RandomStream(77, 0, 1), false));
        assertArrayEquals(want, codes);
        // and a different seed gives different roundings
        short[] other = start.clone();
        AdamW opt2 = AdamW.builder().lr(0.01).build(ParamGroup.of(Param.f32("other", new float[3]), Param.bf16("w", other)));
        opt2.bf16Seed(78).step(new float[3], g);
        assertFalse(java.util.Arrays.equals(codes, other));
    }

    @Test
    void checkpointsRoundTripAndResumeBitExactly(@TempDir Path dir) throws Exception {
        for (int kind = 0; kind < 7; kind++) {
            float[] w = gauss(20, 9000, 1), b = gauss(21, 100, 1);
            Optimizer a = kinds(Backends.get(), Param.f32("w", w), Param.f32("b", b)).get(kind).get();
            for (int t = 0; t < 4; t++) a.step(gauss(30 + t, 9000, 0.1), gauss(40 + t, 100, 0.1));
            Path file = dir.resolve("opt" + kind + ".bin");
            a.save(file);
            float[] w2 = w.clone(), b2 = b.clone();
            Optimizer c = kinds(Backends.get(), Param.f32("w", w2), Param.f32("b", b2)).get(kind).get();
            c.load(file);
            assertEquals(4, c.steps());
            for (int t = 4; t < 8; t++) {
                float[] gw = gauss(30 + t, 9000, 0.1), gb = gauss(40 + t, 100, 0.1);
                a.step(gw, gb);
                c.step(gw, gb);
            }
            assertArrayEquals(w, w2, "kind " + kind);
            assertArrayEquals(b, b2, "kind " + kind);
        }
    }

    @Test
    void damagedOrMismatchedCheckpointsFailAndLeaveTheOptimizerAsItWas(@TempDir Path dir) throws Exception {
        float[] w = gauss(50, 9000, 1);
        AdamW a = AdamW.builder().build(ParamGroup.of(Param.f32("w", w)));
        a.step(gauss(51, 9000, 0.1));
        Path good = dir.resolve("good.bin");
        a.save(good);
        byte[] bytes = Files.readAllBytes(good);

        Path truncated = dir.resolve("truncated.bin");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        Path flipped = dir.resolve("flipped.bin");
        byte[] f = bytes.clone();
        f[f.length / 2] ^= 0x10;
        Files.write(flipped, f);
        Path otherSize = dir.resolve("other-size.bin");
        AdamW.builder().build(ParamGroup.of(Param.f32("w", new float[8000]))).save(otherSize);
        Path otherKind = dir.resolve("other-kind.bin");
        Lion.builder().build(ParamGroup.of(Param.f32("w", new float[9000]))).save(otherKind);
        Path otherBits = dir.resolve("other-bits.bin");
        AdamW.builder().stateBits(32).build(ParamGroup.of(Param.f32("w", new float[9000]))).save(otherBits);

        // the victim: some progress of its own
        float[] vw = gauss(52, 9000, 1);
        AdamW victim = AdamW.builder().build(ParamGroup.of(Param.f32("w", vw)));
        victim.step(gauss(53, 9000, 0.1));
        victim.step(gauss(54, 9000, 0.1));
        float[] mBefore = victim.states(0).get(0).toFloats(Blockwise.chosen());
        float[] vBefore = victim.states(0).get(1).toFloats(Blockwise.chosen());
        String[][] cases = {{"truncated.bin", "checksum"}, {"flipped.bin", "checksum"}, {"other-size.bin", "w[8000]"},
                {"other-kind.bin", "lion"}, {"other-bits.bin", "settings differ"}, {"missing.bin", "no such file"}};
        for (String[] c : cases) {
            Optimizer.CheckpointException e = assertThrows(Optimizer.CheckpointException.class, () -> victim.load(dir.resolve(c[0])));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertEquals(2, victim.steps());
            assertArrayEquals(mBefore, victim.states(0).get(0).toFloats(Blockwise.chosen()));
            assertArrayEquals(vBefore, victim.states(0).get(1).toFloats(Blockwise.chosen()));
        }
        victim.load(good);
        assertEquals(1, victim.steps());
    }

    @Test
    void momentumResetZeroesCodesAndAbsmax() {
        float[] w = gauss(60, 5000, 1);
        AdamW opt = AdamW.builder().spam(new AdamW.Spam(5000, 2, 0)).build(ParamGroup.of(Param.f32("w", w)));
        opt.step(gauss(61, 5000, 0.1));
        opt.step(gauss(62, 5000, 0.1));
        StateTensor m = opt.states(0).get(0);
        assertTrue(m.absmax[0] > 0);
        opt.beforeStep(3);  // the reset that step 3 begins with
        for (float a : m.absmax) assertEquals(0f, a);
        byte zero = (byte) io.lowbit.backend.scalar.ScalarBlockwise.nearestCode(Codebook.DYNAMIC_SIGNED.midpoints(), 0f);
        for (byte c : m.codes) assertEquals(zero, c);
        assertEquals(1.0, opt.warmupFactor(2));
        assertEquals(1.0, opt.warmupFactor(3));  // no warmup configured
        AdamW warm = AdamW.builder().spam(new AdamW.Spam(5000, 10, 4)).build(ParamGroup.of(Param.f32("w", w)));
        assertEquals(1.0, warm.warmupFactor(10));  // before the first reset
        double prev = 0;
        for (long t = 11; t <= 14; t++) {       // cosine from ~1% up to 1 after the reset before step 11
            double f = warm.warmupFactor(t);
            assertTrue(f > prev && f <= 1.0, "t " + t + " factor " + f);
            prev = f;
        }
        assertEquals(1.0, warm.warmupFactor(14));
        assertEquals(1 - 0.99 * (1 + Math.cos(Math.PI / 4)) / 2, warm.warmupFactor(11), 1e-15);
    }
}
