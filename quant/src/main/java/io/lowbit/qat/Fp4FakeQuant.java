package io.lowbit.qat;

import io.lowbit.Checks;
import io.lowbit.mx.FakeQuantized;
import io.lowbit.mx.Quantizer;

/**
 * FP4/MX fake quantization for QAT (contract 8, last paragraph): the forward pass is the block
 * quantize-dequantize of sections 4-5 ({@link Quantizer#fakeQuantize}); the backward pass is
 * the straight-through estimator {@code dx = g}, or with {@code clipMasked} 0 where the element
 * saturated (its clip mask bit is 1). Works for any {@link Quantizer}; MXFP4 and NVFP4 are the
 * usual ones. Immutable.
 */
public final class Fp4FakeQuant {
    private final Quantizer quantizer;
    private final boolean clipMasked;

    public Fp4FakeQuant(Quantizer quantizer, boolean clipMasked) {
        this.quantizer = Checks.notNull("quantizer", quantizer);
        this.clipMasked = clipMasked;
    }

    /** MXFP4 (E2M1 elements, E8M0 scales, blocks of 32 along rows). */
    public static Fp4FakeQuant mxfp4(boolean clipMasked) { return new Fp4FakeQuant(Quantizer.mxfp4(), clipMasked); }

    /** NVFP4 (E2M1 elements, UE4M3 scales, blocks of 16, tensor scale). */
    public static Fp4FakeQuant nvfp4(boolean clipMasked) { return new Fp4FakeQuant(Quantizer.nvfp4(), clipMasked); }

    public Quantizer quantizer() { return quantizer; }
    public boolean clipMasked() { return clipMasked; }

    /** Dequantized values and the clip mask of {@code x}, row-major {@code [rows, cols]}. */
    public FakeQuantized forward(float[] x, int rows, int cols) {
        return quantizer.fakeQuantize(x, rows, cols);
    }

    /** {@code dx = g} (a copy), with clipMasked 0 where {@code forward.clipMask()} is 1. */
    public float[] backward(float[] g, FakeQuantized forward) {
        Checks.notNull("g", g);
        Checks.notNull("forward", forward);
        Checks.exactLength("g", g.length, forward.values().length);
        float[] dx = g.clone();
        if (clipMasked) {
            byte[] mask = forward.clipMask();
            for (int i = 0; i < dx.length; i++) if (mask[i] != 0) dx[i] = 0f;
        }
        return dx;
    }
}
