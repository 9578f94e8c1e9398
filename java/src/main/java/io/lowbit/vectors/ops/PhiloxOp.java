package io.lowbit.vectors.ops;

import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;
import io.lowbit.vectors.VectorInputs;

import java.util.Map;
import java.util.Set;

/** {@code philox} (contract 3): raw Philox4x32 blocks, {@code out[j] = philox(key[j], counter[j])}. */
public final class PhiloxOp implements OpHandler {
    @Override public String op() { return "philox"; }

    @Override public Set<String> params() { return Set.of("rounds"); }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        long rounds = c.integer("rounds", 10);
        if (rounds != 10) {
            throw new UnsupportedOperationException("philox rounds=" + rounds + " (lowbit implements Philox4x32-10 only)");
        }
        NpyArray key = VectorInputs.matrix(c, "key", NpyArray.Dtype.U4, 2);
        NpyArray counter = VectorInputs.matrix(c, "counter", NpyArray.Dtype.U4, 4);
        int m = key.dim(0);
        if (counter.dim(0) != m) {
            throw new IllegalArgumentException("inputs 'key' and 'counter' must have the same number of rows, got "
                    + m + " and " + counter.dim(0));
        }
        int[] out = new int[4 * m];
        backend.random().philox(key.ints(), counter.ints(), out, m);
        return Map.of("out", NpyArray.ofU4(out, m, 4));
    }
}
