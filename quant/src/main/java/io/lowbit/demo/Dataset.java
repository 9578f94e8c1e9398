package io.lowbit.demo;

import io.lowbit.data.Digits;

/** Rows of features (row-major {@code [count, features]}) with integer class labels. */
record Dataset(float[] x, int[] labels, int count, int features) {

    /** {train, test} of the digits data, with {@link Digits}' fixed split. */
    static Dataset[] digits() {
        Digits d = Digits.load();
        return new Dataset[] {of(d.train()), of(d.test())};
    }

    private static Dataset of(Digits.Split s) {
        int n = s.size();
        float[] x = new float[n * Digits.FEATURES];
        for (int i = 0; i < n; i++) System.arraycopy(s.x()[i], 0, x, i * Digits.FEATURES, Digits.FEATURES);
        return new Dataset(x, s.y().clone(), n, Digits.FEATURES);
    }
}
