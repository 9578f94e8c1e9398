package io.lowbit;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Element casts (contract section 2) on the chosen backend.
 *
 * <pre>{@code
 * float[] x = {0.3f, -1.7f, 500f};
 * byte[] e4m3 = Casts.encode(ElementFormat.E4M3, x, CastOptions.RNE_SATURATE);   // 448 for 500
 * float[] back = Casts.decode(ElementFormat.E4M3, e4m3);
 * byte[] sr = Casts.encode(ElementFormat.E2M1, x, CastOptions.stochastic(RandomStream.of(42), true));
 * }</pre>
 *
 * <p>Host data can also be NIO buffers, heap or direct (off-heap): {@link #encode(ElementFormat,
 * FloatBuffer, ByteBuffer, CastOptions)} and {@link #decode(ElementFormat, ByteBuffer, FloatBuffer)}.
 */
public final class Casts {
    private final Backend backend;

    private Casts(Backend backend) { this.backend = backend; }

    /** Casts on a given backend (e.g. {@code Backends.scalar()} to compare against). */
    public static Casts on(Backend backend) { return new Casts(Checks.notNull("backend", backend)); }

    private static Casts chosen() { return new Casts(Backends.get()); }

    /** Encodes to a format of at most 8 bits, one code per byte. */
    public static byte[] encode(ElementFormat format, float[] x, CastOptions options) {
        return chosen().encodeBytes(format, x, options);
    }

    /** Encodes to BF16 or FP16. */
    public static short[] encode16(ElementFormat format, float[] x, CastOptions options) {
        return chosen().encodeShorts(format, x, options);
    }

    public static float[] decode(ElementFormat format, byte[] codes) { return chosen().decodeBytes(format, codes); }

    public static float[] decode16(ElementFormat format, short[] codes) { return chosen().decodeShorts(format, codes); }

    /** E2M1 packed two per byte, low nibble first (contract 4.4). */
    public static byte[] encodePackedE2M1(float[] x, CastOptions options) { return chosen().packE2M1(x, options); }

    /**
     * Encodes the remaining floats of {@code x} into {@code codes} (one byte each, a format of
     * at most 8 bits), from each buffer's position, which advances as with a bulk get and put.
     * Either buffer may be direct (off-heap). Element i of {@code x}'s remaining part uses
     * random word i, as for arrays.
     */
    public static void encode(ElementFormat format, FloatBuffer x, ByteBuffer codes, CastOptions options) {
        chosen().encodeBuffer(format, x, codes, options);
    }

    /** Decodes the remaining bytes of {@code codes} into {@code values}, as {@link #encode(ElementFormat, FloatBuffer, ByteBuffer, CastOptions)}. */
    public static void decode(ElementFormat format, ByteBuffer codes, FloatBuffer values) {
        chosen().decodeBuffer(format, codes, values);
    }

    /** Elements per chunk when buffers are staged through arrays: a multiple of 4 (one Philox block). */
    static final int BUFFER_CHUNK = 1 << 20;

    public void encodeBuffer(ElementFormat format, FloatBuffer x, ByteBuffer codes, CastOptions options) {
        checkNarrow(format);
        Checks.notNull("x", x);
        Checks.notNull("codes", codes);
        Checks.notNull("options", options);
        if (codes.isReadOnly()) throw new IllegalArgumentException("codes must be a writable buffer, got a read-only one");
        int n = x.remaining();
        Checks.length("codes (remaining)", codes.remaining(), n);
        float[] in = new float[Math.min(n, BUFFER_CHUNK)];
        byte[] out = new byte[in.length];
        for (int done = 0; done < n; done += in.length) {
            int len = Math.min(in.length, n - done);
            x.get(in, 0, len);
            // a chunk starting at element `done` (a multiple of 4) starts at counter offset + done/4
            CastOptions chunk = options.random() == null ? options
                    : new CastOptions(options.rounding(), options.saturate(), options.random().advance(done / 4));
            backend.casts().encode(format, chunk, in, out, len);
            codes.put(out, 0, len);
        }
    }

    public void decodeBuffer(ElementFormat format, ByteBuffer codes, FloatBuffer values) {
        checkNarrow(format);
        Checks.notNull("codes", codes);
        Checks.notNull("values", values);
        if (values.isReadOnly()) throw new IllegalArgumentException("values must be a writable buffer, got a read-only one");
        int n = codes.remaining();
        Checks.length("values (remaining)", values.remaining(), n);
        byte[] in = new byte[Math.min(n, BUFFER_CHUNK)];
        float[] out = new float[in.length];
        for (int done = 0; done < n; done += in.length) {
            int len = Math.min(in.length, n - done);
            codes.get(in, 0, len);
            backend.casts().decode(format, in, out, len);
            values.put(out, 0, len);
        }
    }

    public byte[] encodeBytes(ElementFormat format, float[] x, CastOptions options) {
        checkNarrow(format);
        Checks.notNull("x", x);
        Checks.notNull("options", options);
        byte[] codes = new byte[x.length];
        backend.casts().encode(format, options, x, codes, x.length);
        return codes;
    }

    public short[] encodeShorts(ElementFormat format, float[] x, CastOptions options) {
        checkWide(format);
        Checks.notNull("x", x);
        Checks.notNull("options", options);
        short[] codes = new short[x.length];
        backend.casts().encode16(format, options, x, codes, x.length);
        return codes;
    }

    public float[] decodeBytes(ElementFormat format, byte[] codes) {
        checkNarrow(format);
        Checks.notNull("codes", codes);
        float[] v = new float[codes.length];
        backend.casts().decode(format, codes, v, codes.length);
        return v;
    }

    public float[] decodeShorts(ElementFormat format, short[] codes) {
        checkWide(format);
        Checks.notNull("codes", codes);
        float[] v = new float[codes.length];
        backend.casts().decode16(format, codes, v, codes.length);
        return v;
    }

    public byte[] packE2M1(float[] x, CastOptions options) {
        Checks.notNull("x", x);
        Checks.notNull("options", options);
        byte[] packed = new byte[(x.length + 1) / 2];
        backend.casts().encodePackedE2M1(options, x, packed, x.length);
        return packed;
    }

    private static void checkNarrow(ElementFormat f) {
        Checks.notNull("format", f);
        if (f.isWide()) throw new IllegalArgumentException("format " + f + " has 16-bit codes: use encode16/decode16");
    }

    private static void checkWide(ElementFormat f) {
        Checks.notNull("format", f);
        if (!f.isWide()) throw new IllegalArgumentException("format must be BF16 or FP16 for 16-bit codes, got " + f);
    }
}
