package io.lowbit.vectors;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every op lowbit can run from a vector file, by op name. Add a new op's handler here. */
public final class OpRegistry {
    private static final Map<String, OpHandler> HANDLERS = new LinkedHashMap<>();

    static {
        // an array initializer, so that every line (the last too) may end in a comma
        for (OpHandler h : new OpHandler[] {
                new io.lowbit.vectors.ops.CastOp(),
                new io.lowbit.vectors.ops.DecodeOp(),
                new io.lowbit.vectors.ops.RandomWordsOp(),
                new io.lowbit.vectors.ops.PhiloxOp(),
                new io.lowbit.vectors.ops.BlockwiseQuantizeOp(),
                new io.lowbit.vectors.ops.CodebookOp(),
                new io.lowbit.vectors.ops.HadamardHandler(),
                new io.lowbit.vectors.ops.MxQuantizeOp(),
                new io.lowbit.vectors.ops.OptimAdamwOp(),
                new io.lowbit.vectors.ops.QatLsqHandler(),
                new io.lowbit.vectors.ops.ScaledQuantizeOp(),
        }) {
            HANDLERS.put(h.op(), h);
        }
    }

    private OpRegistry() {}

    /** The handler for {@code op}, or null if lowbit does not support it. */
    public static OpHandler get(String op) { return HANDLERS.get(op); }

    public static Map<String, OpHandler> all() { return Map.copyOf(HANDLERS); }
}
