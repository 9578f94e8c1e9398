package io.lowbit.vectors.ops;

import io.lowbit.Checks;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.hadamard.Hadamard;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;
import io.lowbit.vectors.VectorInputs;

import java.util.Map;
import java.util.Set;

/**
 * Op {@code hadamard} (contract section 6): params {@code n}, {@code normalize}, {@code inverse},
 * {@code signs} (none/given/random), {@code seed}, {@code stream}; input {@code x} (any rank, the
 * transform along the last axis), optional {@code signs} f32[n]; output {@code y}, x's shape.
 * Random signs use offset 0, as the contract says.
 */
public final class HadamardHandler implements OpHandler {
    @Override public String op() { return "hadamard"; }

    @Override
    public Set<String> params() { return Set.of("n", "normalize", "inverse", "signs", "seed", "stream"); }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        int n = Checks.inRange("n", c.integer("n"), Hadamard.MIN_N, Hadamard.MAX_N);
        Hadamard.Builder b = Hadamard.builder(n)
                .normalize(c.bool("normalize", false))
                .inverse(c.bool("inverse", false))
                .backend(backend);
        String signs = c.string("signs", "none");
        switch (signs) {
            case "none":
                break;
            case "given":
                b.signs(VectorInputs.floats(c, "signs"));
                break;
            case "random":
                b.randomSigns(new RandomStream(c.integer("seed"), 0, c.int32("stream", 0)));
                break;
            default:
                throw new IllegalArgumentException("parameter 'signs' must be none, given or random, got '" + signs + "'");
        }
        NpyArray x = VectorInputs.require(c, "x", NpyArray.Dtype.F4);
        int[] shape = x.shape();
        if (shape.length == 0) throw new IllegalArgumentException("input 'x' must have at least one axis");
        int cols = shape[shape.length - 1];
        int rows = cols == 0 ? 0 : (int) (x.size() / cols);
        float[] y = b.build().apply(x.floats(), rows, cols);
        return Map.of("y", new NpyArray(NpyArray.Dtype.F4, shape, y));
    }
}
