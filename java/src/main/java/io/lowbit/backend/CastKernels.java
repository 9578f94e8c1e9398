package io.lowbit.backend;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;

/**
 * Element casts, contract section 2. For stochastic rounding element {@code i} uses the
 * random word {@code i} of {@code options.random()} (contract section 3).
 */
public interface CastKernels {
    /** {@code codes[i] = encode(x[i])} for i &lt; n, for formats of at most 8 bits. */
    void encode(ElementFormat format, CastOptions options, float[] x, byte[] codes, int n);

    /** {@code codes[i] = encode(x[i])} for i &lt; n, for BF16 and FP16. */
    void encode16(ElementFormat format, CastOptions options, float[] x, short[] codes, int n);

    /** {@code values[i] = decode(codes[i])} for i &lt; n, for formats of at most 8 bits. */
    void decode(ElementFormat format, byte[] codes, float[] values, int n);

    /** {@code values[i] = decode(codes[i])} for i &lt; n, for BF16 and FP16. */
    void decode16(ElementFormat format, short[] codes, float[] values, int n);

    /**
     * E2M1 codes packed two per byte (contract 4.4): element 2j in the low nibble,
     * 2j+1 in the high nibble; an odd n leaves the last high nibble 0.
     * {@code packed} holds at least ceil(n/2) bytes.
     */
    void encodePackedE2M1(CastOptions options, float[] x, byte[] packed, int n);
}
