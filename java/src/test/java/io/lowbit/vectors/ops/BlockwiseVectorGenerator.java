package io.lowbit.vectors.ops;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.lowbit.Blockwise;
import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backends;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.io.AtomicFiles;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes test-vectors/blockwise and test-vectors/optim from the scalar reference (contract 7).
 * Run from the repository root after {@code mvn -pl java test-compile}:
 * <pre>
 * java -cp java/target/classes:java/target/test-classes:$(ls ~/.m2/repository/com/google/code/gson/gson/2.13.1/gson-2.13.1.jar) \
 *     io.lowbit.vectors.ops.BlockwiseVectorGenerator test-vectors
 * </pre>
 */
public final class BlockwiseVectorGenerator {
    private static final Blockwise REF = Blockwise.on(Backends.scalar()).threads(1);
    private static final BlockwiseKernels K = Backends.scalar().blockwise();

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "test-vectors");
        Path bw = root.resolve("blockwise"), op = root.resolve("optim");
        for (String name : new String[] {"dynamic-signed", "dynamic-unsigned", "dynamic-signed-4", "nf4", "fp4", "linear4"}) {
            JsonObject params = new JsonObject();
            params.addProperty("name", name);
            write(bw, "codebook-" + name, "codebook", params, Map.of(), Map.of("values", NpyArray.of(Codebook.byName(name).values())),
                    "values: contract 7.1 computed exactly (BigDecimal) and rounded once to float32 by lowbit's Codebook; "
                            + "nf4 as bitsandbytes publishes it, fp4 = bitsandbytes get_4bit_type('fp4') / 12 sorted");
        }
        SplittableRandom r = new SplittableRandom(20261123);
        for (int bs = 64; bs <= 4096; bs *= 2) {
            int n = bs + (bs >= 1024 ? 5 : bs / 2 + 3);  // one full block, one partial
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-4, 2)));
            quantizeCase(bw, "quantize-dynamic-signed-bs" + bs, Codebook.DYNAMIC_SIGNED, bs, x, "random normals of mixed scale, partial last block");
        }
        float[] pos = new float[700];
        for (int i = 0; i < pos.length; i++) pos[i] = (float) Math.abs(r.nextGaussian() * Math.pow(10, r.nextInt(-8, 1)));
        quantizeCase(bw, "quantize-dynamic-unsigned-bs256", Codebook.DYNAMIC_UNSIGNED, 256, pos, "non-negative values over 8 decades");
        for (Codebook c : new Codebook[] {Codebook.NF4, Codebook.FP4, Codebook.LINEAR4}) {
            float[] x = new float[300];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            quantizeCase(bw, "quantize-" + c.name() + "-bs64", c, 64, x, "4-bit table, one code per element (u8)");
        }
        // special blocks: zeros, a NaN, +-Inf-free extremes, subnormals
        float[] sp = new float[64 * 4];
        for (int i = 64; i < 128; i++) sp[i] = i % 2 == 0 ? Float.MIN_VALUE * i : -Float.MAX_VALUE / i;
        for (int i = 128; i < 192; i++) sp[i] = (float) r.nextGaussian();
        sp[150] = Float.NaN;
        for (int i = 192; i < 256; i++) sp[i] = i % 3 == 0 ? -0f : Float.MIN_VALUE * (i - 191);  // subnormal-only block: absmax < 1e-38
        quantizeCase(bw, "quantize-special-bs64", Codebook.DYNAMIC_SIGNED, 64, sp,
                "blocks: all zeros; huge and subnormal; one NaN (block decodes to NaN); subnormals only (divisor 1e-38f)");
        for (Codebook c : new Codebook[] {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4}) {
            float[] mids = c.midpoints();
            float[] x = new float[mids.length * 3 + 1];
            for (int j = 0; j < mids.length; j++) {
                x[3 * j] = mids[j];
                x[3 * j + 1] = Math.nextUp(mids[j]);
                x[3 * j + 2] = Math.nextDown(mids[j]);
            }
            x[x.length - 1] = 1f;  // absmax 1: v = x exactly
            quantizeCase(bw, "quantize-midpoints-" + c.name(), c, 4096, x, "each float32 midpoint and its neighbours, absmax 1: exact ties go to the lower code");
        }

        // optim.adamw
        int[][] shapes = {{8, 600, 256}, {8, 300, 64}, {32, 300, 256}};  // partial last blocks
        for (int[] sh : shapes) {
            int bits = sh[0], n = sh[1], bs = sh[2];
            for (long step : new long[] {1, 10, 1000}) {
                adamwCase(op, r, bits, n, bs, step, false);
            }
            adamwCase(op, r, bits, n, bs, 7, true);
        }
    }

    private static void quantizeCase(Path dir, String name, Codebook c, int bs, float[] x, String what) throws IOException {
        Blockwise.Quantized q = REF.quantize(c, x, bs);
        JsonObject params = new JsonObject();
        params.addProperty("codebook", c.name());
        params.addProperty("blockSize", bs);
        Map<String, NpyArray> exp = new LinkedHashMap<>();
        exp.put("absmax", NpyArray.of(q.absmax()));
        exp.put("codes", NpyArray.ofU1(q.codes()));
        exp.put("dequantized", NpyArray.of(REF.dequantize(q)));
        write(dir, name, "blockwise.quantize", params, Map.of("x", NpyArray.of(x)), exp,
                what + "; expected from lowbit's scalar reference (binary search over float32 midpoints), "
                        + "which tests check against a brute-force count of midpoints below v");
    }

    private static void adamwCase(Path dir, SplittableRandom r, int bits, int n, int bs, long step, boolean nonFinite) throws IOException {
        double lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
        float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) r.nextGaussian();
            g[i] = (float) (r.nextGaussian() * 0.01);
            m[i] = (float) (r.nextGaussian() * 0.001);
            v[i] = (float) Math.pow(r.nextGaussian() * 0.01, 2);
        }
        if (nonFinite) {
            g[0] = Float.NaN;
            g[n / 2] = Float.POSITIVE_INFINITY;
            g[n - 1] = Float.NEGATIVE_INFINITY;
        }
        JsonObject params = new JsonObject();
        params.addProperty("lr", lr);
        params.addProperty("beta1", b1);
        params.addProperty("beta2", b2);
        params.addProperty("eps", eps);
        params.addProperty("weightDecay", wd);
        params.addProperty("step", step);
        params.addProperty("stateBits", bits);
        params.addProperty("blockSize", bs);
        Map<String, NpyArray> in = new LinkedHashMap<>(), exp = new LinkedHashMap<>();
        in.put("p", NpyArray.of(p.clone()));
        in.put("g", NpyArray.of(g));
        AdamWScalars s = AdamWScalars.of(lr, b1, b2, eps, wd, step);
        int bad;
        if (bits == 32) {
            in.put("m", NpyArray.of(m.clone()));
            in.put("v", NpyArray.of(v.clone()));
            bad = K.adamw32(s, p, g, m, v, 0, n);
            exp.put("m", NpyArray.of(m));
            exp.put("v", NpyArray.of(v));
        } else {
            Blockwise.Quantized mq = REF.quantize(Codebook.DYNAMIC_SIGNED, m, bs), vq = REF.quantize(Codebook.DYNAMIC_UNSIGNED, v, bs);
            in.put("m_codes", NpyArray.ofU1(mq.codes().clone()));
            in.put("m_absmax", NpyArray.of(mq.absmax().clone()));
            in.put("v_codes", NpyArray.ofU1(vq.codes().clone()));
            in.put("v_absmax", NpyArray.of(vq.absmax().clone()));
            bad = K.adamw8(s, Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, bs, p, g, mq.codes(), mq.absmax(), vq.codes(), vq.absmax(),
                    n, 0, Blockwise.blocks(n, bs));
            exp.put("m_codes", NpyArray.ofU1(mq.codes()));
            exp.put("m_absmax", NpyArray.of(mq.absmax()));
            exp.put("v_codes", NpyArray.ofU1(vq.codes()));
            exp.put("v_absmax", NpyArray.of(vq.absmax()));
        }
        exp.put("p", NpyArray.of(p));
        exp.put("nonFinite", NpyArray.ofI8(new long[] {bad}));
        String name = "adamw" + bits + "-n" + n + "-bs" + bs + "-step" + step + (nonFinite ? "-nonfinite" : "");
        write(dir, name, "optim.adamw", params, in, exp, "one AdamW step (contract 7.3) by lowbit's scalar reference; "
                + (nonFinite ? "gradients with NaN, +Inf, -Inf (their m, v become 0, p unchanged); " : "")
                + "tests check the reference against a float64 AdamW and against dequantize + 32-bit step + requantize");
    }

    private static void write(Path dir, String name, String op, JsonObject params, Map<String, NpyArray> inputs,
                              Map<String, NpyArray> expected, String note) throws IOException {
        JsonObject man = new JsonObject();
        man.addProperty("op", op);
        man.add("params", params);
        JsonObject in = new JsonObject(), ex = new JsonObject();
        for (Map.Entry<String, NpyArray> e : inputs.entrySet()) {
            String f = name + "." + e.getKey() + ".npy";
            Npy.write(dir.resolve(f), e.getValue());
            in.addProperty(e.getKey(), f);
        }
        for (Map.Entry<String, NpyArray> e : expected.entrySet()) {
            String f = name + ".expected." + e.getKey() + ".npy";
            Npy.write(dir.resolve(f), e.getValue());
            ex.addProperty(e.getKey(), f);
        }
        man.add("inputs", in);
        man.add("expected", ex);
        man.addProperty("note", note);
        AtomicFiles.write(dir.resolve(name + ".json"),
                (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(man) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
