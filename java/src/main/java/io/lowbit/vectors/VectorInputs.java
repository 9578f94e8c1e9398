package io.lowbit.vectors;

import io.lowbit.io.NpyArray;

import java.io.IOException;
import java.util.Arrays;

/**
 * Typed access to a case's input arrays for handlers: the array must exist and have the
 * dtype (and, where asked, the rank) the op needs, else a clear error naming the input.
 */
public final class VectorInputs {
    private VectorInputs() {}

    /** Input {@code name}, which must have one of {@code dtypes}. */
    public static NpyArray require(VectorCase c, String name, NpyArray.Dtype... dtypes) throws IOException {
        NpyArray a = c.input(name);
        for (NpyArray.Dtype d : dtypes) if (a.dtype() == d) return a;
        StringBuilder want = new StringBuilder();
        for (NpyArray.Dtype d : dtypes) want.append(want.length() == 0 ? "" : " or ").append(d.descr);
        throw new IllegalArgumentException("input '" + name + "' must have dtype " + want + ", got " + a.dtype().descr);
    }

    /** Float32 input {@code name}. */
    public static float[] floats(VectorCase c, String name) throws IOException {
        return require(c, name, NpyArray.Dtype.F4).floats();
    }

    /** Input {@code name} with dtype {@code dtype} and shape {@code [*, cols]}. */
    public static NpyArray matrix(VectorCase c, String name, NpyArray.Dtype dtype, int cols) throws IOException {
        NpyArray a = require(c, name, dtype);
        if (a.rank() != 2 || a.dim(1) != cols) {
            throw new IllegalArgumentException("input '" + name + "' must have shape [m, " + cols + "], got " + Arrays.toString(a.shape()));
        }
        return a;
    }
}
