package io.lowbit.demo;

/**
 * One way of training the demo's MLP: which operands of the layer products are quantized
 * and how, and how the parameters are updated. The {@link Trainer} runs the same loop for
 * every recipe; a recipe only answers the questions below.
 */
interface Recipe {
    /** Short name for tables and file names ("fp32", "fp4", "qat"). */
    String name();

    /** One line: what this recipe quantizes. */
    String description();

    /** Called once before training, with the model it will train for {@code totalSteps} steps. */
    void init(Mlp model, long seed, long totalSteps);

    /** The weight operand of layer {@code l}'s forward product ({@code [out, in]}). */
    float[] forwardWeight(int l, boolean training);

    /** The input operand of layer {@code l}'s forward product ({@code [batch, in]}). */
    float[] forwardInput(int l, float[] x, int batch, boolean training);

    /**
     * {@code dw[o, i] = sum_b dy[b, o] * x[b, i]}: the gradient of the forward weight operand,
     * from the layer's output gradient and its (unquantized) input.
     */
    void weightGradient(int l, float[] dy, float[] x, int batch, float[] dw);

    /**
     * Updates the model from the gradients of the forward weight operands and the biases
     * (in {@link Mlp#parameters()} order). {@code again} recomputes them on the same batch
     * at the model's current weights (for a SAM-style second look).
     */
    void step(float[][] grads, GradientOracle again, int step);

    /** Bytes of optimizer state (and quantizer state) this recipe keeps. */
    long stateBytes();

    /** Scale freezes so far (QAT), or 0. */
    default int scaleFreezes() { return 0; }

    /** Oscillation freezes so far (QAT), or 0. */
    default int oscillationFreezes() { return 0; }

    /** Recomputes the gradients of the current batch at the model's current weights. */
    interface GradientOracle {
        float[][] gradients();
    }
}
