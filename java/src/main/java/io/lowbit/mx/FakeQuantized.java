package io.lowbit.mx;

/**
 * Result of {@link Quantizer#fakeQuantize(float[], int, int)}: the dequantized values, the
 * clip mask for the straight-through estimator (1 where the element saturated, contract 8)
 * and the number of saturated elements.
 */
public record FakeQuantized(float[] values, byte[] clipMask, long saturated) {
}
