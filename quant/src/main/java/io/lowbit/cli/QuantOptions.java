package io.lowbit.cli;

import io.lowbit.RandomStream;
import io.lowbit.Rounding;
import io.lowbit.mx.MxFormat;
import io.lowbit.mx.Quantizer;
import io.lowbit.mx.ScaleMode;
import io.lowbit.mx.Tile;
import picocli.CommandLine.Option;

/** The quantization options shared by {@code quantize} and {@code stats}. */
final class QuantOptions {
    @Option(names = "--format", required = true,
            description = "mxfp4, mxfp6-e2m3, mxfp6-e3m2, mxfp8-e4m3, mxfp8-e5m2, mxint8, nvfp4, ue5m3")
    String format;

    @Option(names = "--block-size", description = "elements per block, 1..1024 (default 32; nvfp4/ue5m3: 16)")
    Integer blockSize;

    @Option(names = "--axis", description = "-1: blocks along rows (default); 0: down columns")
    Integer axis;

    @Option(names = "--scale-mode", description = "floor (default), ceil, even, rceil")
    String scaleMode;

    @Option(names = "--tile", description = "nvfp4/ue5m3 only: 1x16 (default) or 16x16")
    String tile;

    @Option(names = "--rounding", defaultValue = "rne", description = "rne (default) or sr (stochastic)")
    String rounding;

    @Option(names = "--seed", defaultValue = "0", description = "seed of stochastic rounding")
    long seed;

    /** The quantizer these options describe; every value checked (IllegalArgumentException). */
    Quantizer quantizer() {
        Quantizer q = Quantizer.of(MxFormat.parse("--format", format));
        if (blockSize != null) q = q.blockSize(blockSize);
        if (axis != null) q = q.axis(axis);
        if (scaleMode != null) q = q.scaleMode(ScaleMode.parse("--scale-mode", scaleMode));
        if (tile != null) q = q.tile(Tile.parse("--tile", tile));
        return q;
    }

    boolean stochastic() { return Rounding.parse("--rounding", rounding) == Rounding.STOCHASTIC; }

    /**
     * The quantizer for one tensor: with stochastic rounding each tensor gets its own Philox
     * offset ({@code offset}, advanced by the caller by ceil(n/4) per tensor) so no two
     * tensors share random words.
     */
    Quantizer forTensor(Quantizer q, long offset) {
        return stochastic() ? q.stochastic(new RandomStream(seed, offset, 0)) : q;
    }
}
