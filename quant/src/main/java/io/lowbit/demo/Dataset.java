package io.lowbit.demo;

/** Rows of features (row-major {@code [count, features]}) with integer class labels. */
record Dataset(float[] x, int[] labels, int count, int features) {}
