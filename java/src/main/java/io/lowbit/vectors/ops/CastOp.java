package io.lowbit.vectors.ops;

import io.lowbit.CastOptions;
import io.lowbit.Casts;
import io.lowbit.ElementFormat;
import io.lowbit.Rounding;
import io.lowbit.backend.Backend;
import io.lowbit.backend.scalar.ScalarCodec;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;
import io.lowbit.vectors.VectorInputs;

import java.util.Map;
import java.util.Set;

/**
 * {@code cast} (contract 2.2-2.4): {@code codes} = encode(x) (u1, or u2 for BF16/FP16) and
 * {@code values} = decode(codes). {@code saturate} defaults to false (IEEE-style overflow, as
 * ml_dtypes), {@code rounding} to rne; stochastic rounding needs {@code seed}.
 */
public final class CastOp implements OpHandler {
    @Override public String op() { return "cast"; }

    @Override
    public Set<String> params() { return Set.of("format", "rounding", "saturate", "seed", "offset", "stream"); }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        ElementFormat format = ElementFormat.parse("format", c.string("format"));
        Rounding rounding = Rounding.parse("rounding", c.string("rounding", "rne"));
        boolean saturate = c.bool("saturate", false);
        CastOptions options = new CastOptions(rounding, saturate,
                rounding == Rounding.STOCHASTIC ? RandomParams.of(c) : null);
        NpyArray x = VectorInputs.require(c, "x", NpyArray.Dtype.F4);
        int[] shape = x.shape();
        Casts casts = Casts.on(backend);
        if (format.isWide()) {
            short[] codes = casts.encodeShorts(format, x.floats(), options);
            return Map.of("codes", NpyArray.ofU2(codes, shape), "values", NpyArray.of(casts.decodeShorts(format, codes), shape));
        }
        byte[] codes = casts.encodeBytes(format, x.floats(), options);
        return Map.of("codes", NpyArray.ofU1(codes, shape), "values", NpyArray.of(casts.decodeBytes(format, codes), shape));
    }

    @Override
    public String describe(VectorCase c, String array, long bits) {
        return describeCode(c, array, bits);
    }

    /** A code's value in the case's {@code format}, for failure messages. */
    static String describeCode(VectorCase c, String array, long bits) {
        if (!array.equals("codes")) return null;
        try {
            ElementFormat f = ElementFormat.parse("format", c.string("format"));
            return bits >>> f.bits() == 0 ? Float.toString(ScalarCodec.decode(f, (int) bits)) : "not a " + f + " code";
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
