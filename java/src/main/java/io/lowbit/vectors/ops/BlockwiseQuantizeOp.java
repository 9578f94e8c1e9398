package io.lowbit.vectors.ops;

import io.lowbit.Blockwise;
import io.lowbit.Codebook;
import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.VectorCase;

import java.util.Map;

/**
 * {@code blockwise.quantize} (contract 7.2): params {@code codebook}, {@code blockSize}; input
 * {@code x} f32[n]; outputs {@code absmax} f32[nb], {@code codes} u8[n] (one per element, also
 * for 4-bit codebooks), {@code dequantized} f32[n].
 */
public final class BlockwiseQuantizeOp implements OpHandler {
    @Override public String op() { return "blockwise.quantize"; }

    @Override
    public Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception {
        Codebook book = Codebook.byName(c.string("codebook"));
        int bs = c.int32("blockSize", 256);
        float[] x = c.input("x").floats();
        Blockwise bw = Blockwise.on(backend);
        Blockwise.Quantized q = bw.quantize(book, x, bs);
        return Map.of("absmax", NpyArray.of(q.absmax()), "codes", NpyArray.ofU1(q.codes()),
                "dequantized", NpyArray.of(bw.dequantize(q)));
    }
}
