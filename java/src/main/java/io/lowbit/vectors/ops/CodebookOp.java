package io.lowbit.vectors.ops;

import io.lowbit.Codebook;
import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;

import java.util.Map;

/** {@code codebook} (contract 7.1): param {@code name}; output {@code values} f32. */
public final class CodebookOp implements OpHandler {
    @Override public String op() { return "codebook"; }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) {
        return Map.of("values", NpyArray.of(Codebook.byName(c.string("name")).values()));
    }
}
