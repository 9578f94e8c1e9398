package io.lowbit.qat;

import io.lowbit.backend.Backends;
import io.lowbit.mx.FakeQuantized;
import io.lowbit.mx.Quantizer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Fp4FakeQuantTest {
    /** E2M1 magnitudes (contract 2.1). */
    private static final float[] E2M1 = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6};

    @Test
    void forwardIsTheMxQuantizeDequantizeAndBackwardTheSte() {
        // one MXFP4 block of 32: amax 7 -> E = 2, floor scale 2^(2-2) = 1: 7 saturates to 6, 5 ties to 4 (even code)
        float[] x = new float[32];
        x[0] = 7f; x[1] = 5f; x[2] = -0.3f; x[3] = 2.6f; x[4] = -6.5f;
        float[] g = new float[32];
        for (int i = 0; i < 32; i++) g[i] = i + 1;
        Fp4FakeQuant masked = new Fp4FakeQuant(Quantizer.mxfp4().backend(Backends.scalar()), true);
        FakeQuantized f = masked.forward(x, 1, 32);
        assertEquals(6f, f.values()[0]);
        assertEquals(4f, f.values()[1]);
        assertEquals(-0.5f, f.values()[2]);
        assertEquals(3f, f.values()[3]);
        assertEquals(-6f, f.values()[4]);
        assertEquals(1, f.clipMask()[0]);
        assertEquals(0, f.clipMask()[1]);
        assertEquals(1, f.clipMask()[4]);
        assertEquals(2, f.saturated());
        float[] dx = masked.backward(g, f);
        float[] want = g.clone();
        want[0] = 0;
        want[4] = 0;
        assertArrayEquals(want, dx);
        assertArrayEquals(g, new Fp4FakeQuant(Quantizer.mxfp4(), false).backward(g, f));
    }

    @Test
    void valuesLieOnTheScaledE2M1GridAndMaskMatchesSaturation() {
        Random rnd = new Random(9);
        int rows = 4, cols = 96;
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian()));
        for (Fp4FakeQuant fq : new Fp4FakeQuant[] {Fp4FakeQuant.mxfp4(true), Fp4FakeQuant.nvfp4(true)}) {
            FakeQuantized f = fq.forward(x, rows, cols);
            assertArrayEquals(fq.quantizer().fakeQuantize(x, rows, cols).values(), f.values());
            float[] g = new float[x.length];
            java.util.Arrays.fill(g, 1f);
            float[] dx = fq.backward(g, f);
            long zeros = 0;
            for (float d : dx) if (d == 0) zeros++;
            assertEquals(f.saturated(), zeros);
        }
        // MXFP4: every block's values are E2M1 values times its power-of-two scale
        FakeQuantized f = Fp4FakeQuant.mxfp4(false).forward(x, rows, cols);
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[b * 32 + i]));
            float scale = Math.scalb(1f, Math.getExponent(amax) - 2);
            for (int i = 0; i < 32; i++) {
                float m = Math.abs(f.values()[b * 32 + i]) / scale;
                boolean onGrid = false;
                for (float e : E2M1) onGrid |= e == m;
                assertTrue(onGrid, "block " + b + " value " + f.values()[b * 32 + i]);
            }
        }
    }

    @Test
    void badArguments() {
        Fp4FakeQuant fq = Fp4FakeQuant.mxfp4(true);
        FakeQuantized f = fq.forward(new float[32], 1, 32);
        assertThrows(IllegalArgumentException.class, () -> fq.backward(new float[31], f));
        assertThrows(IllegalArgumentException.class, () -> fq.backward(null, f));
        assertThrows(IllegalArgumentException.class, () -> new Fp4FakeQuant(null, true));
    }
}
