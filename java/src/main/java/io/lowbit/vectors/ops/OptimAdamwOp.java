package io.lowbit.vectors.ops;

import io.lowbit.Blockwise;
import io.lowbit.Checks;
import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code optim.adamw} (contract 7.3): params {@code lr, beta1, beta2, eps, weightDecay, step,
 * stateBits} (8/32), {@code blockSize}; inputs {@code p, g} f32[n] and, for 8-bit,
 * {@code m_codes, m_absmax, v_codes, v_absmax} (dynamic-signed / dynamic-unsigned), for 32-bit
 * {@code m, v}. Outputs the same names after one step, plus {@code nonFinite} i8[1].
 */
public final class OptimAdamwOp implements OpHandler {
    @Override public String op() { return "optim.adamw"; }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        int bits = c.int32("stateBits", 8);
        long t = c.integer("step");
        if (t < 1) throw new IllegalArgumentException("parameter 'step' must be >= 1 (1-based), got " + t);
        AdamWScalars s = AdamWScalars.of(c.number("lr"), c.number("beta1"), c.number("beta2"), c.number("eps"),
                c.number("weightDecay"), t);
        float[] p = c.input("p").floats().clone(), g = c.input("g").floats();
        int n = p.length;
        Checks.exactLength("g", g.length, n);
        Map<String, NpyArray> out = new LinkedHashMap<>();
        int bad;
        if (bits == 32) {
            float[] m = c.input("m").floats().clone(), v = c.input("v").floats().clone();
            Checks.exactLength("m", m.length, n);
            Checks.exactLength("v", v.length, n);
            bad = Blockwise.on(backend).forBlocks(n, Blockwise.blocks(n, 4096),
                    (b0, b1) -> backend.blockwise().adamw32(s, p, g, m, v, b0 * 4096, Math.min(n, b1 * 4096)));
            out.put("m", NpyArray.of(m));
            out.put("v", NpyArray.of(v));
        } else if (bits == 8) {
            int bs = Blockwise.checkBlockSize(c.int32("blockSize", 256));
            int nb = Blockwise.blocks(n, bs);
            byte[] mc = c.input("m_codes").bytes().clone(), vc = c.input("v_codes").bytes().clone();
            float[] ma = c.input("m_absmax").floats().clone(), va = c.input("v_absmax").floats().clone();
            Checks.exactLength("m_codes", mc.length, n);
            Checks.exactLength("v_codes", vc.length, n);
            Checks.exactLength("m_absmax", ma.length, nb);
            Checks.exactLength("v_absmax", va.length, nb);
            bad = Blockwise.on(backend).forBlocks(n, nb, (b0, b1) -> backend.blockwise().adamw8(s, Codebook.DYNAMIC_SIGNED,
                    Codebook.DYNAMIC_UNSIGNED, bs, p, g, mc, ma, vc, va, n, b0, b1));
            out.put("m_codes", NpyArray.ofU1(mc));
            out.put("m_absmax", NpyArray.of(ma));
            out.put("v_codes", NpyArray.ofU1(vc));
            out.put("v_absmax", NpyArray.of(va));
        } else {
            throw new UnsupportedOperationException("stateBits " + bits + " (supported: 8, 32)");
        }
        out.put("p", NpyArray.of(p));
        out.put("nonFinite", NpyArray.ofI8(new long[] {bad}));
        return out;
    }
}
