package io.lowbit.vectors.ops;

import io.lowbit.Checks;
import io.lowbit.backend.Backend;
import io.lowbit.backend.scalar.ScalarQat;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code qat.lsq} (contract 8): params {@code bits} (2..8), {@code signed} (default true; unsigned
 * grid [0, 2^bits - 1]), optional {@code groupSize}; inputs {@code x}, {@code s}, {@code g}, optional
 * {@code beta} (LSQ+ offsets, shaped like s); outputs {@code q}, {@code dx}, {@code ds}, {@code dbeta}.
 * Without groupSize: one scale, {@code s} f32[1], x of any shape. With groupSize: x is
 * {@code [rows, cols]} and s is {@code [rows, ceil(cols / groupSize)]} (per-channel: groupSize = cols).
 */
public final class QatLsqHandler implements OpHandler {
    @Override
    public String op() { return "qat.lsq"; }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        int bits = Checks.inRange("bits", c.integer("bits"), 2, 8);
        boolean signed = c.bool("signed", true);
        NpyArray xa = c.input("x");
        float[] x = xa.floats(), s = c.input("s").floats(), g = c.input("g").floats();
        Checks.exactLength("g", g.length, x.length);
        int rows = 1, cols = x.length, group = Math.max(x.length, 1);
        if (c.has("groupSize")) {
            if (xa.rank() != 2) throw new IllegalArgumentException("x must be [rows, cols] with groupSize, got " + xa);
            rows = xa.dim(0);
            cols = xa.dim(1);
            group = Checks.inRange("groupSize", c.integer("groupSize"), 1, Integer.MAX_VALUE);
        }
        int segments = c.has("groupSize") ? ScalarQat.segmentCount(rows, cols, group) : 1;
        Checks.exactLength("s", s.length, segments);
        for (int k = 0; k < s.length; k++) {
            if (!(s[k] > 0) || Float.isInfinite(s[k])) throw new IllegalArgumentException("s[" + k + "] must be a finite value > 0, got " + s[k]);
        }
        float[] beta = null;
        if (c.hasInput("beta")) {
            beta = c.input("beta").floats();
            Checks.exactLength("beta", beta.length, segments);
        }
        int qn = ScalarQat.gridQn(bits, signed), qp = ScalarQat.gridQp(bits, signed);
        float[] q = new float[x.length], dx = new float[x.length], ds = new float[s.length];
        float[] dbeta = beta == null ? null : new float[s.length];
        backend.qat().lsqForward(x, rows, cols, group, s, beta, qn, qp, q);
        backend.qat().lsqBackward(x, g, rows, cols, group, s, beta, qn, qp, dx, ds, dbeta);
        int[] sShape = c.input("s").shape();
        Map<String, NpyArray> out = new LinkedHashMap<>();
        out.put("q", NpyArray.of(q, xa.shape()));
        out.put("dx", NpyArray.of(dx, xa.shape()));
        out.put("ds", NpyArray.of(ds, sShape));
        if (dbeta != null) out.put("dbeta", NpyArray.of(dbeta, sShape));
        return out;
    }
}
