package io.lowbit.hadamard;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backends;
import io.lowbit.io.AtomicFiles;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes test-vectors/hadamard/ from the scalar reference (see README.md there for how to run).
 * Every n = 2..32768; signs none/given/random; forward and inverse; normalized or not.
 * Inputs of one n are shared by that n's cases to keep the files small.
 */
public final class HadamardVectorGenerator {
    private static final String NOTE = "lowbit scalar reference (ScalarHadamard, contract section 6), written by "
            + "HadamardVectorGenerator; the reference is checked against FFHT fht_float anchors and exact integer "
            + "products with Sylvester's matrix.";

    private final Path dir;

    private HadamardVectorGenerator(Path dir) { this.dir = dir; }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "test-vectors/hadamard");
        new HadamardVectorGenerator(dir).all();
    }

    private void all() throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(20261123);
        for (int k = 1; k <= 15; k++) {
            int n = 1 << k;
            int rows = n <= 64 ? 3 : 1;
            int cols = n <= 64 ? 2 * n : n;
            String xFile = "n" + n + ".x.npy";
            float[] x = values(r, rows * cols);
            write(xFile, NpyArray.of(x, rows, cols));
            if (n <= 1024) {
                String sFile = "n" + n + ".signs.npy";
                float[] s = new float[n];
                for (int j = 0; j < n; j++) s[j] = r.nextBoolean() ? 1f : -1f;
                write(sFile, NpyArray.of(s));
                emit("n" + n + "_plain", n, false, false, "none", 0, 0, x, rows, cols, xFile, null, null);
                emit("n" + n + "_norm_random", n, true, false, "random", 1000 + n, 0, x, rows, cols, xFile, null, null);
                emit("n" + n + "_norm_given", n, true, false, "given", 0, 0, x, rows, cols, xFile, sFile, s);
                emit("n" + n + "_inv_norm_random", n, true, true, "random", 2000 + n, 1, x, rows, cols, xFile, null, null);
                emit("n" + n + "_inv_given", n, false, true, "given", 0, 0, x, rows, cols, xFile, sFile, s);
                emit("n" + n + "_inv_norm_none", n, true, true, "none", 0, 0, x, rows, cols, xFile, null, null);
            } else {
                // One row and one case per large n, the options varying from size to size.
                switch (k) {
                    case 11: emit("n" + n + "_plain", n, false, false, "none", 0, 0, x, rows, cols, xFile, null, null); break;
                    case 12: emit("n" + n + "_norm_random", n, true, false, "random", 4096, 2, x, rows, cols, xFile, null, null); break;
                    case 13: emit("n" + n + "_inv_norm_random", n, true, true, "random", 8192, 0, x, rows, cols, xFile, null, null); break;
                    case 14: emit("n" + n + "_inv_random", n, false, true, "random", 16384, 0, x, rows, cols, xFile, null, null); break;
                    default: emit("n" + n + "_norm_random", n, true, false, "random", 32768, 0, x, rows, cols, xFile, null, null);
                }
            }
        }
        // IEEE special values: infinities (inf - inf = NaN), NaN, signed zeros, subnormals, overflow.
        float[] special = {Float.POSITIVE_INFINITY, 1f, Float.NaN, -0f, -0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE,
                Float.MAX_VALUE, Float.MAX_VALUE, 3e-39f, 1e-38f, Float.NEGATIVE_INFINITY, 0f, 1.5f, -2.25f};
        write("special.x.npy", NpyArray.of(special, 1, 16));
        emit("special_plain", 16, false, false, "none", 0, 0, special, 1, 16, "special.x.npy", null, null);
        emit("special_norm_random", 16, true, false, "random", 7, 0, special, 1, 16, "special.x.npy", null, null);
    }

    private void emit(String name, int n, boolean normalize, boolean inverse, String signs, long seed, int stream,
                      float[] x, int rows, int cols, String xFile, String sFile, float[] s) throws IOException {
        Hadamard.Builder b = Hadamard.builder(n).normalize(normalize).inverse(inverse).backend(Backends.scalar());
        if (signs.equals("given")) b.signs(s);
        if (signs.equals("random")) b.randomSigns(new RandomStream(seed, 0, stream));
        float[] y = b.build().apply(x, rows, cols);
        write(name + ".y.npy", NpyArray.of(y, rows, cols));

        JsonObject params = new JsonObject();
        params.addProperty("n", n);
        params.addProperty("normalize", normalize);
        params.addProperty("inverse", inverse);
        params.addProperty("signs", signs);
        if (signs.equals("random")) {
            params.addProperty("seed", seed);
            params.addProperty("stream", stream);
        }
        JsonObject inputs = new JsonObject();
        inputs.addProperty("x", xFile);
        if (sFile != null) inputs.addProperty("signs", sFile);
        JsonObject expected = new JsonObject();
        expected.addProperty("y", name + ".y.npy");
        JsonObject m = new JsonObject();
        m.addProperty("op", "hadamard");
        m.add("params", params);
        m.add("inputs", inputs);
        m.add("expected", expected);
        m.addProperty("note", NOTE);
        AtomicFiles.write(dir.resolve(name + ".json"),
                (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(m) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void write(String file, NpyArray a) throws IOException { Npy.write(dir.resolve(file), a); }

    /** Gaussians times powers of two from 2^-20 to 2^20: a wide but overflow-free spread. */
    private static float[] values(SplittableRandom r, int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float) (r.nextGaussian() * Math.scalb(1.0, r.nextInt(-20, 21)));
        return v;
    }
}
