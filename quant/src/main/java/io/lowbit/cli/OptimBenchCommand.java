package io.lowbit.cli;

import io.lowbit.Blockwise;
import io.lowbit.Codebook;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.optim.AdamW;
import io.lowbit.optim.AdamW4bit;
import io.lowbit.optim.Lion;
import io.lowbit.optim.Optimizer;
import io.lowbit.optim.Param;
import io.lowbit.optim.ParamGroup;
import io.lowbit.optim.SgdMomentum;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code lowbit optim-bench}: optimizer state memory and step time per million parameters. */
@Command(name = "optim-bench", mixinStandardHelpOptions = true,
        description = "Measure state bytes per parameter and step time per million parameters for each optimizer "
                + "(AdamW 32/8/4-bit, SGD momentum 32/8-bit, Lion 32/8-bit), and blockwise quantization speed.")
final class OptimBenchCommand implements Callable<Integer> {
    @Option(names = "--params", description = "Parameters in the one tensor stepped (default: ${DEFAULT-VALUE}).")
    int params = 4_000_000;

    @Option(names = "--steps", description = "Timed steps per optimizer, after as many warm-up steps (default: ${DEFAULT-VALUE}).")
    int steps = 10;

    @Option(names = "--threads", description = "Threads per step (default: all processors).")
    Integer threads;

    @Override
    public Integer call() {
        if (params < 1) throw new IllegalArgumentException("--params must be >= 1, got " + params);
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        Backend be = Backends.get();
        int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (th < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + th);
        System.out.printf("backend %s, %d threads, one tensor of %,d parameters, %d timed steps%n", be.name(), th, params, steps);
        Map<String, Function<ParamGroup, Optimizer>> kinds = new LinkedHashMap<>();
        kinds.put("AdamW 32-bit", g -> AdamW.builder().backend(be).stateBits(32).build(g));
        kinds.put("AdamW 8-bit", g -> AdamW.builder().backend(be).stateBits(8).build(g));
        kinds.put("AdamW 4-bit", g -> AdamW4bit.builder().backend(be).build(g));
        kinds.put("SGD momentum 32-bit", g -> SgdMomentum.builder().backend(be).stateBits(32).build(g));
        kinds.put("SGD momentum 8-bit", g -> SgdMomentum.builder().backend(be).stateBits(8).build(g));
        kinds.put("Lion 32-bit", g -> Lion.builder().backend(be).stateBits(32).build(g));
        kinds.put("Lion 8-bit", g -> Lion.builder().backend(be).stateBits(8).build(g));
        float[] g = new float[params];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < params; i++) g[i] = (float) (r.nextGaussian() * 1e-3);
        System.out.printf("%-22s %14s %14s %16s%n", "optimizer", "state B/param", "ms/step", "ms per 1M params");
        for (Map.Entry<String, Function<ParamGroup, Optimizer>> k : kinds.entrySet()) {
            float[] p = new float[params];
            Optimizer opt = k.getValue().apply(ParamGroup.of(Param.f32("p", p))).threads(th);
            for (int i = 0; i < steps; i++) opt.step(g);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) opt.step(g);
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            System.out.printf("%-22s %14.4f %14.3f %16.3f%n", k.getKey(), (double) opt.totalStateBytes() / params, ms, ms * 1e6 / params);
        }
        Blockwise bw = Blockwise.on(be).threads(th);
        for (int i = 0; i < 3; i++) bw.quantize(Codebook.DYNAMIC_SIGNED, g, 256);
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) bw.quantize(Codebook.DYNAMIC_SIGNED, g, 256);
        double ms = (System.nanoTime() - t0) / 1e6 / steps;
        System.out.printf("blockwise quantize (dynamic-signed, block 256): %.3f ms, %.3f ms per 1M values%n", ms, ms * 1e6 / params);
        return 0;
    }
}
