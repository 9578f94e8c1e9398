package io.lowbit.demo;

import io.lowbit.RandomStream;
import io.lowbit.hadamard.Hadamard;
import io.lowbit.hadamard.RotateThenQuantize;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.Tile;

/**
 * FP4 training, after the NVFP4 training recipes:
 * <ul>
 * <li>forward: both operands of every layer product fake-quantized to NVFP4 along the
 *     reduction dimension, RNE: activations in 1x16 blocks; weights in 1x16 blocks by
 *     default, or in 16x16 tiles where both dimensions allow it (the 10-class output layer
 *     keeps 1x16). Measured on this demo (3 seeds, 20 epochs): 16x16 weight tiles end
 *     1.7-3.3 points below FP32, 1x16 blocks 0.6-1.1 points: one scale per 16x16 tile spans
 *     16 neurons of very different magnitude in a net this small;</li>
 * <li>backward weight gradient {@code dW = dY^T X}: both operands rotated along the batch
 *     (the reduction dimension) by the same 16-point randomized Hadamard transform, which
 *     leaves the product unchanged, then quantized to NVFP4 with stochastic rounding;</li>
 * <li>AdamW with 8-bit block-wise states (tensors under 4096 elements keep 32-bit).</li>
 * </ul>
 * The input gradient {@code dX = dY W_q} uses the quantized forward weights in float32.
 */
class Fp4Recipe extends Fp32Recipe {
    private static final int RHT_N = 16;
    private final Tile weightTile;
    private long seed;
    private int step;

    Fp4Recipe(Tile weightTile) { this.weightTile = weightTile; }

    Fp4Recipe() { this(Tile.T1X16); }

    @Override public String name() { return "fp4"; }

    @Override
    public String description() {
        return "NVFP4 forward operands (weights " + weightTile + "), 16-point RHT + stochastic NVFP4 "
                + "weight-gradient operands, AdamW 8-bit states";
    }

    @Override
    public void init(Mlp model, long seed, long totalSteps) {
        super.init(model, seed, totalSteps);
        this.seed = seed;
    }

    @Override int stateBits() { return 8; }

    @Override
    public float[] forwardWeight(int l, boolean training) {
        int out = model.out(l), in = model.in(l);
        Tile tile = out % 16 == 0 && in % 16 == 0 ? weightTile : Tile.T1X16;
        return Quantizer.nvfp4().tile(tile).fakeQuantize(model.weights[l], out, in).values();
    }

    @Override
    public float[] forwardInput(int l, float[] x, int batch, boolean training) {
        return Quantizer.nvfp4().fakeQuantize(x, batch, model.in(l)).values();
    }

    @Override
    public void weightGradient(int l, float[] dy, float[] x, int batch, float[] dw) {
        int out = model.out(l), in = model.in(l);
        // One random sign vector per (step, layer), shared by both operands: H^T H = I.
        long offset = ((long) step << 8) | l;
        Hadamard rht = Hadamard.builder(RHT_N).normalize(true)
                .randomSigns(new RandomStream(seed, offset, 2)).build();
        // Rotate then quantize with stochastic rounding (one fused op), a distinct word stream
        // per operand and step.
        float[] dyQ = RotateThenQuantize.of(rht, Quantizer.nvfp4().stochastic(new RandomStream(seed, offset << 16, 0)))
                .fakeQuantize(Gemm.transpose(dy, batch, out), out, batch).values();
        float[] xQ = RotateThenQuantize.of(rht, Quantizer.nvfp4().stochastic(new RandomStream(seed, offset << 16, 1)))
                .fakeQuantize(Gemm.transpose(x, batch, in), in, batch).values();
        Gemm.weightGradientT(dyQ, xQ, dw, batch, in, out);
    }

    @Override
    public void step(float[][] grads, GradientOracle again, int step) {
        super.step(grads, again, step);
        this.step = step;
    }
}
