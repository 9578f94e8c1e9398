package io.lowbit.vectors.ops;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.lowbit.backend.Backends;
import io.lowbit.backend.scalar.ScalarQat;
import io.lowbit.io.AtomicFiles;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.VectorCase;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes test-vectors/qat/ from the scalar reference (run: see test-vectors/qat/README.md).
 * Inputs are chosen to hit the contract's edges: quotients exactly on rounding boundaries
 * (k + 0.5, s = 0.375 makes x = s (k + 0.5) and x / s exact), exactly on and just past the clip
 * limits, signed zeros, and random values with a non-dyadic scale.
 */
public final class QatVectorGenerator {
    private static final String NOTE = "expected values from lowbit's scalar reference (ScalarQat, written from contract 8),"
            + " itself checked against an independent restatement (ScalarQatTest) and a finite-difference gradient check"
            + " (LsqQuantizerTest); generator: java/src/test/java/io/lowbit/vectors/ops/QatVectorGenerator.java";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "test-vectors/qat");
        Random rnd = new Random(20240501L);
        for (int bits = 2; bits <= 8; bits++) {
            for (boolean signed : new boolean[] {true, false}) {
                int qn = ScalarQat.gridQn(bits, signed), qp = ScalarQat.gridQp(bits, signed);
                String tag = "b" + bits + (signed ? "s" : "u");
                float s = 0.375f;
                List<Float> xs = new ArrayList<>();
                for (int k = -qn - 2; k <= qp + 1; k += Math.max(1, (qn + qp) / 24)) xs.add(s * (k + 0.5f)); // boundaries
                for (float v : new float[] {-qn, qp, -qn - 0.5f, qp + 0.5f, -qn - 1, qp + 1}) xs.add(s * v);  // clip limits
                xs.add(Math.nextDown(-qn * s));
                xs.add(Math.nextUp(qp * s));
                xs.add(0f);
                xs.add(-0f);
                xs.add(-0.1f * s);
                for (int i = 0; i < 9; i++) xs.add((float) (rnd.nextGaussian() * s * qp));
                write(dir, "lsq_" + tag + "_edges", bits, signed, null, toArray(xs), new int[] {xs.size()},
                        new float[] {s}, null, rnd);
                float[] x = gaussian(rnd, 61, 1.0);
                float sInit = (float) (2 * meanAbs(x) / Math.sqrt(qp));
                write(dir, "lsq_" + tag + "_random", bits, signed, null, x, new int[] {61}, new float[] {sInit}, null, rnd);
            }
        }
        // per-channel, per-group (a shorter last group), LSQ+ offsets
        float[] x = gaussian(rnd, 3 * 40, 2.0);
        write(dir, "lsq_b4s_perchannel", 4, true, 40, x, new int[] {3, 40}, new float[] {0.31f, 0.57f, 0.9f}, null, rnd);
        write(dir, "lsq_b3u_pergroup", 3, false, 16, x, new int[] {3, 40},
                new float[] {0.2f, 0.4f, 0.7f, 0.3f, 0.5f, 0.11f, 0.6f, 0.25f, 0.45f}, null, rnd);
        write(dir, "lsqplus_b4u_pertensor", 4, false, null, x, new int[] {120}, new float[] {0.33f}, new float[] {-1.5f}, rnd);
        write(dir, "lsqplus_b5s_pergroup", 5, true, 16, x, new int[] {3, 40},
                new float[] {0.2f, 0.4f, 0.7f, 0.3f, 0.5f, 0.11f, 0.6f, 0.25f, 0.45f},
                new float[] {0.1f, -0.2f, 0f, 0.3f, 0.05f, -0.4f, 0.2f, -0.1f, 0.15f}, rnd);
    }

    private static void write(Path dir, String name, int bits, boolean signed, Integer groupSize, float[] x, int[] shape,
                              float[] s, float[] beta, Random rnd) throws Exception {
        float[] g = gaussian(rnd, x.length, 1.0);
        JsonObject params = new JsonObject();
        params.addProperty("bits", bits);
        params.addProperty("signed", signed);
        if (groupSize != null) params.addProperty("groupSize", groupSize);
        int[] sShape = groupSize == null ? new int[] {1} : new int[] {shape[0], s.length / shape[0]};
        JsonObject inputs = new JsonObject();
        Npy.write(dir.resolve(name + ".x.npy"), NpyArray.of(x, shape));
        Npy.write(dir.resolve(name + ".s.npy"), NpyArray.of(s, sShape));
        Npy.write(dir.resolve(name + ".g.npy"), NpyArray.of(g, shape));
        inputs.addProperty("x", name + ".x.npy");
        inputs.addProperty("s", name + ".s.npy");
        inputs.addProperty("g", name + ".g.npy");
        if (beta != null) {
            Npy.write(dir.resolve(name + ".beta.npy"), NpyArray.of(beta, sShape));
            inputs.addProperty("beta", name + ".beta.npy");
        }
        Path manifest = dir.resolve(name + ".json");
        Map<String, String> in = new java.util.LinkedHashMap<>();
        for (String k : inputs.keySet()) in.put(k, inputs.get(k).getAsString());
        Map<String, NpyArray> out = new QatLsqHandler().run(new VectorCase(manifest, "qat.lsq", params, in, Map.of()), Backends.scalar());
        JsonObject expected = new JsonObject();
        for (Map.Entry<String, NpyArray> e : out.entrySet()) {
            Npy.write(dir.resolve(name + "." + e.getKey() + ".npy"), e.getValue());
            expected.addProperty(e.getKey(), name + "." + e.getKey() + ".npy");
        }
        JsonObject root = new JsonObject();
        root.addProperty("op", "qat.lsq");
        root.add("params", params);
        root.add("inputs", inputs);
        root.add("expected", expected);
        root.addProperty("note", NOTE);
        AtomicFiles.write(manifest, (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static float[] toArray(List<Float> v) {
        float[] a = new float[v.size()];
        for (int i = 0; i < a.length; i++) a[i] = v.get(i);
        return a;
    }

    private static float[] gaussian(Random rnd, int n, double sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * sigma);
        return a;
    }

    private static double meanAbs(float[] x) {
        double sum = 0;
        for (float v : x) sum += Math.abs(v);
        return sum / x.length;
    }

    private QatVectorGenerator() {}

}
