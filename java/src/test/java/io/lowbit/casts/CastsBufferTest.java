package io.lowbit.casts;

import io.lowbit.CastOptions;
import io.lowbit.Casts;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Direct (off-heap) and heap NIO buffers give the same codes as arrays, chunk boundaries included. */
class CastsBufferTest {

    @Test
    void directBuffersMatchArraysAcrossChunksWithStochasticRounding() {
        int n = (1 << 20) + 4099;   // more than one staging chunk, an odd tail
        float[] x = new float[n];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < n; i++) x[i] = Float.intBitsToFloat(r.nextInt());
        CastOptions sr = CastOptions.stochastic(new RandomStream(11, 1L << 40, 3), true);
        for (Backend b : Backends.available()) {
            Casts casts = Casts.on(b);
            byte[] expected = casts.encodeBytes(ElementFormat.E4M3, x, sr);
            FloatBuffer in = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
            in.put(x).flip();
            ByteBuffer codes = ByteBuffer.allocateDirect(n);
            casts.encodeBuffer(ElementFormat.E4M3, in, codes, sr);
            assertEquals(0, in.remaining());
            assertEquals(n, codes.position());
            byte[] got = new byte[n];
            codes.flip().get(got);
            assertArrayEquals(expected, got, b.name());

            FloatBuffer values = FloatBuffer.allocate(n);
            casts.decodeBuffer(ElementFormat.E4M3, ByteBuffer.wrap(got), values);
            float[] back = casts.decodeBytes(ElementFormat.E4M3, expected);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(back[i]), Float.floatToRawIntBits(values.get(i)), b.name() + " at " + i);
            }
        }
    }

    @Test
    void badBuffersAreRejectedNamingTheArgument() {
        FloatBuffer x = FloatBuffer.allocate(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Casts.encode(ElementFormat.E4M3, x, ByteBuffer.allocate(7), CastOptions.RNE));
        assertTrue(e.getMessage().contains("codes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Casts.encode(ElementFormat.E4M3, x, ByteBuffer.allocate(8).asReadOnlyBuffer(), CastOptions.RNE));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Casts.encode(ElementFormat.BF16, x, ByteBuffer.allocate(8), CastOptions.RNE));
        assertTrue(e.getMessage().contains("BF16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Casts.decode(ElementFormat.E4M3, ByteBuffer.allocate(8), FloatBuffer.allocate(3)));
        assertTrue(e.getMessage().contains("values"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Casts.encode(ElementFormat.E4M3, null, ByteBuffer.allocate(8), CastOptions.RNE));
    }
}
