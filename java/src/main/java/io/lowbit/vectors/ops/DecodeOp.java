package io.lowbit.vectors.ops;

import io.lowbit.Casts;
import io.lowbit.ElementFormat;
import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;
import io.lowbit.vectors.VectorInputs;

import java.util.Map;
import java.util.Set;

/**
 * {@code decode} (contract 2.5): {@code values} = the exact value of each code. Codes are u1
 * (or i1), u2 for BF16/FP16; a code with bits above the format's width is an error rather
 * than silently masked.
 */
public final class DecodeOp implements OpHandler {
    @Override public String op() { return "decode"; }

    @Override public Set<String> params() { return Set.of("format"); }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        ElementFormat format = ElementFormat.parse("format", c.string("format"));
        Casts casts = Casts.on(backend);
        if (format.isWide()) {
            NpyArray codes = VectorInputs.require(c, "codes", NpyArray.Dtype.U2);
            return Map.of("values", NpyArray.of(casts.decodeShorts(format, codes.shorts()), codes.shape()));
        }
        NpyArray codes = VectorInputs.require(c, "codes", NpyArray.Dtype.U1, NpyArray.Dtype.I1);
        byte[] b = codes.bytes();
        for (int i = 0; i < b.length; i++) {
            if ((b[i] & 0xFF) >>> format.bits() != 0) {
                throw new IllegalArgumentException(String.format(
                        "input 'codes' index %d: 0x%02x is not a %s code (%d bits)", i, b[i] & 0xFF, format, format.bits()));
            }
        }
        return Map.of("values", NpyArray.of(casts.decodeBytes(format, b), codes.shape()));
    }
}
