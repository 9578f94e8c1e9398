package io.lowbit.vectors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every op lowbit can run from a vector file, by op name. Add a new op's handler here. */
public final class OpRegistry {
    private static final Map<String, OpHandler> HANDLERS = new LinkedHashMap<>();

    static {
        for (OpHandler h : List.<OpHandler>of(
                // foundation (casts, random), then one line per op family
                new io.lowbit.vectors.ops.CodebookOp(),
                new io.lowbit.vectors.ops.BlockwiseQuantizeOp(),
                new io.lowbit.vectors.ops.OptimAdamwOp()
        )) {
            HANDLERS.put(h.op(), h);
        }
    }

    private OpRegistry() {}

    /** The handler for {@code op}, or null if lowbit does not support it. */
    public static OpHandler get(String op) { return HANDLERS.get(op); }

    public static Map<String, OpHandler> all() { return Map.copyOf(HANDLERS); }
}
