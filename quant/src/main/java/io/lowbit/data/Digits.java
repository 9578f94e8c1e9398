package io.lowbit.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The UCI handwritten digits (8x8 images, 1797 samples, CC BY 4.0; see the README next to the
 * resource), shipped as a resource.
 *
 * <p>Fixed split: the rows in file order are shuffled by Fisher-Yates with
 * {@code java.util.Random(42)} (for i = n-1 down to 1, swap i with {@code nextInt(i + 1)}); the
 * first 1437 are the training set, the last 360 the test set. Pixels are scaled by 1/16 to [0, 1].
 */
public final class Digits {
    public static final int FEATURES = 64, CLASSES = 10, SAMPLES = 1797, TRAIN = 1437, TEST = 360;
    public static final long SPLIT_SEED = 42;
    private static final String RESOURCE = "/io/lowbit/data/digits.csv.gz";

    /** Row-major features [n][64] in [0, 1] and labels 0..9. */
    public record Split(float[][] x, int[] y) {
        public int size() { return y.length; }
    }

    private final Split train, test;

    private Digits(Split train, Split test) {
        this.train = train;
        this.test = test;
    }

    public Split train() { return train; }
    public Split test() { return test; }

    /** Reads the resource and splits it as described above. */
    public static Digits load() {
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        try (InputStream raw = Digits.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) throw new IllegalStateException("resource " + RESOURCE + " is missing from the jar");
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.US_ASCII));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) continue;
                String[] f = line.trim().split(",");
                if (f.length != FEATURES + 1) throw new IllegalStateException("digits row " + (ys.size() + 1) + " has " + f.length + " fields, expected 65");
                float[] x = new float[FEATURES];
                for (int j = 0; j < FEATURES; j++) x[j] = Integer.parseInt(f[j].trim()) / 16f;
                xs.add(x);
                ys.add(Integer.parseInt(f[FEATURES].trim()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (ys.size() != SAMPLES) throw new IllegalStateException("digits has " + ys.size() + " rows, expected " + SAMPLES);
        int[] order = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) order[i] = i;
        Random rnd = new Random(SPLIT_SEED);
        for (int i = SAMPLES - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return new Digits(subset(xs, ys, order, 0, TRAIN), subset(xs, ys, order, TRAIN, SAMPLES));
    }

    private static Split subset(List<float[]> xs, List<Integer> ys, int[] order, int from, int to) {
        float[][] x = new float[to - from][];
        int[] y = new int[to - from];
        for (int i = from; i < to; i++) {
            x[i - from] = xs.get(order[i]);
            y[i - from] = ys.get(order[i]);
        }
        return new Split(x, y);
    }
}
