package io.lowbit.vectors.ops;

import io.lowbit.ElementFormat;
import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;
import io.lowbit.mx.MxFormat;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.Tile;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code scaled.quantize} (contract 5): params scaleFormat (UE4M3 = NVFP4, or UE5M3), tile
 * (1x16), rounding, seed, offset, stream. Input x f32 [rows, cols]. Outputs tensorScale
 * f32[1] (decT), scales [rows, ceil(cols/16)], codes, packed, dequantized.
 */
public final class ScaledQuantizeOp implements OpHandler {
    @Override public String op() { return "scaled.quantize"; }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        NpyArray xa = c.input("x");
        int[] shape = MxQuantizeOp.matrixShape(xa);
        int rows = shape[0], cols = shape[1];
        ElementFormat sf = ElementFormat.parse("scaleFormat", c.string("scaleFormat"));
        MxFormat format;
        if (sf == ElementFormat.UE4M3) format = MxFormat.NVFP4;
        else if (sf == ElementFormat.UE5M3) format = MxFormat.UE5M3;
        else throw new IllegalArgumentException("parameter 'scaleFormat' must be UE4M3 or UE5M3, got " + sf);
        Quantizer q = Quantizer.of(format).tile(Tile.parse("tile", c.string("tile", "1x16"))).backend(backend);
        q = MxQuantizeOp.withRounding(q, c);
        QuantizedTensor t = q.quantize(xa.floats(), rows, cols);
        Map<String, NpyArray> out = new LinkedHashMap<>();
        out.put("tensorScale", NpyArray.of(new float[] {t.tensorScale()}, 1));
        out.put("scales", NpyArray.ofU1(t.scales(), rows, rows == 0 ? 0 : t.scales().length / rows));
        byte[] codes = t.codes();
        out.put("codes", NpyArray.ofU1(codes, xa.shape()));
        out.put("packed", MxQuantizeOp.packed(ElementFormat.E2M1, false, codes, rows, cols));
        out.put("dequantized", NpyArray.of(t.dequantize(backend), xa.shape()));
        return out;
    }
}
