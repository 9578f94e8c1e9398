package io.lowbit.vectors.ops;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.Rounding;
import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;
import io.lowbit.mx.MxFormat;
import io.lowbit.mx.MxPacking;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.ScaleMode;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code mx.quantize} (contract 4): params elem, blockSize (32), axis (-1), scaleMode
 * (floor), rounding (rne), seed, offset, stream, and lowbit's optional {@code packed6}
 * (false). Input x f32 [rows, cols] (a 1-D x is one row). Outputs scales, codes (one per
 * element, x's shape), packed ([rows, bytes per row], {@link MxPacking}), dequantized.
 * Runs through the public {@link Quantizer}, so its argument checks apply.
 */
public final class MxQuantizeOp implements OpHandler {
    @Override public String op() { return "mx.quantize"; }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        NpyArray xa = c.input("x");
        int[] shape = matrixShape(xa);
        int rows = shape[0], cols = shape[1];
        ElementFormat elem = ElementFormat.parse("elem", c.string("elem"));
        Quantizer q = Quantizer.of(MxFormat.mxOf(elem))
                .blockSize(c.int32("blockSize", 32))
                .axis(c.int32("axis", -1))
                .scaleMode(ScaleMode.parse("scaleMode", c.string("scaleMode", "floor")))
                .backend(backend);
        q = withRounding(q, c);
        QuantizedTensor t = q.quantize(xa.floats(), rows, cols);
        boolean packed6 = c.bool("packed6", false);
        Map<String, NpyArray> out = new LinkedHashMap<>();
        int nb = (int) (t.scales().length / Math.max(1, q.axis() == 0 ? cols : rows));
        out.put("scales", NpyArray.ofU1(t.scales(), q.axis() == 0 ? new int[] {nb, cols} : new int[] {rows, nb}));
        byte[] codes = t.codes();
        out.put("codes", NpyArray.ofU1(codes, xa.shape()));
        out.put("packed", packed(elem, packed6, codes, rows, cols));
        out.put("dequantized", NpyArray.of(t.dequantize(backend), xa.shape()));
        return out;
    }

    /** [rows, cols] of x; a 1-D x is one row. */
    static int[] matrixShape(NpyArray x) {
        if (x.rank() == 2) return new int[] {x.dim(0), x.dim(1)};
        if (x.rank() == 1) return new int[] {1, x.dim(0)};
        throw new IllegalArgumentException("input x must be 1-D or 2-D, got shape " + java.util.Arrays.toString(x.shape()));
    }

    static Quantizer withRounding(Quantizer q, VectorCase c) {
        if (Rounding.parse("rounding", c.string("rounding", "rne")) == Rounding.RNE) return q.rne();
        return q.stochastic(new RandomStream(c.integer("seed", 0), c.integer("offset", 0), c.int32("stream", 0)));
    }

    static NpyArray packed(ElementFormat elem, boolean packed6, byte[] codes, int rows, int cols) {
        byte[] p = MxPacking.pack(elem.bits(), packed6, codes, rows, cols);
        return NpyArray.ofU1(p, rows, (int) MxPacking.rowBytes(elem.bits(), packed6, cols));
    }
}
