package io.lowbit.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * The digits data shipped in this module (resource {@code io/lowbit/data/digits.csv.gz},
 * attribution beside it): 1797 8x8 images, pixels 0..16 scaled to [0, 1].
 *
 * <p>Fixed split: the rows are shuffled with {@code SplittableRandom(20261123)} and the
 * first 360 (20%) form the test set, the other 1437 the training set.
 */
final class DigitsData {
    static final String RESOURCE = "/io/lowbit/data/digits.csv.gz";
    static final int FEATURES = 64;
    static final int TEST_ROWS = 360;
    private static final long SPLIT_SEED = 20261123L;

    private DigitsData() {}

    /** {train, test}. */
    static Dataset[] trainTest() {
        float[] x = new float[1797 * FEATURES];
        int[] y = new int[1797];
        int rows = 0;
        try (InputStream in = DigitsData.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("resource " + RESOURCE + " missing from the class path");
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank()) continue;
                String[] f = line.split(",");
                if (f.length != FEATURES + 1 || rows == y.length) {
                    throw new IllegalStateException(RESOURCE + ": row " + (rows + 1) + " is not 64 pixels and a label");
                }
                for (int i = 0; i < FEATURES; i++) x[rows * FEATURES + i] = Integer.parseInt(f[i].trim()) / 16f;
                y[rows] = Integer.parseInt(f[FEATURES].trim());
                rows++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
        if (rows != y.length) throw new IllegalStateException(RESOURCE + ": expected 1797 rows, found " + rows);
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        SplittableRandom rnd = new SplittableRandom(SPLIT_SEED);
        for (int i = rows - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        return new Dataset[] {subset(x, y, order, TEST_ROWS, rows), subset(x, y, order, 0, TEST_ROWS)};
    }

    private static Dataset subset(float[] x, int[] y, int[] order, int from, int to) {
        int n = to - from;
        float[] sx = new float[n * FEATURES];
        int[] sy = new int[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, order[from + i] * FEATURES, sx, i * FEATURES, FEATURES);
            sy[i] = y[order[from + i]];
        }
        return new Dataset(sx, sy, n, FEATURES);
    }
}
