package io.lowbit.cuda;

import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Argument checks of DeviceBuffer and CudaKernels, which must fail before any native call:
 * the buffers here wrap a made-up device address, so a native call would be a bug (and is
 * never reached). Runs without the library and without a GPU.
 */
class DeviceBufferChecksTest {
    private static final long FAKE_DEVICE_ADDRESS = 0x7f0000000000L;

    private static Pointer fake(long at) {
        return new Pointer() {
            {
                address = at;   // Pointer's protected field (a subclass may set it)
            }
        };
    }

    private static DeviceBuffer wrapped(DeviceBuffer.Type type, long length) {
        return DeviceBuffer.wrap(type, fake(FAKE_DEVICE_ADDRESS), length, null);
    }

    @Test
    void wrapRecordsAddressLengthAndStream() {
        DeviceBuffer b = DeviceBuffer.wrap(fake(FAKE_DEVICE_ADDRESS), 64, fake(0x1234));
        assertEquals(DeviceBuffer.Type.BYTE, b.type());
        assertEquals(64, b.length());
        assertEquals(FAKE_DEVICE_ADDRESS, b.address());
        assertEquals(0x1234, b.stream());
        assertFalse(b.isOwned());
        DeviceBuffer f = b.view(DeviceBuffer.Type.FLOAT);
        assertEquals(16, f.length());
        assertEquals(FAKE_DEVICE_ADDRESS, f.pointer().address());
        b.close();   // not owned: nothing is freed, no native call
        assertTrue(b.isClosed());
    }

    @Test
    void wrongLengthsAndTypesAreRejected() {
        DeviceBuffer f = wrapped(DeviceBuffer.Type.FLOAT, 10);
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new float[9]));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new float[11]));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new int[10]));
        assertThrows(IllegalArgumentException.class, () -> f.copyTo(new float[9]));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new float[20], 15, 0, 6));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new float[20], 0, 5, 6));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(new float[20], -1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> f.copyTo(0, new float[20], 0, -1));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom((float[]) null));
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(FloatBuffer.allocate(10)));          // not direct
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(ByteBuffer.allocateDirect(41)));     // too big
        assertThrows(IllegalArgumentException.class, () -> f.copyFrom(ByteBuffer.allocateDirect(6)));      // 1.5 floats
        assertThrows(IllegalArgumentException.class, () -> f.copyTo(ByteBuffer.allocateDirect(8).asReadOnlyBuffer()));
        assertThrows(IllegalArgumentException.class, () -> f.view(DeviceBuffer.Type.INT).view(DeviceBuffer.Type.FLOAT)
                .copyFrom(new float[11]));
        assertThrows(IllegalArgumentException.class, () -> wrapped(DeviceBuffer.Type.BYTE, 7).view(DeviceBuffer.Type.SHORT));
        assertThrows(IllegalArgumentException.class, () -> DeviceBuffer.wrap(DeviceBuffer.Type.FLOAT, fake(FAKE_DEVICE_ADDRESS + 2), 4, null));
        assertThrows(IllegalArgumentException.class, () -> DeviceBuffer.wrap(fake(0), 4, null));
        assertThrows(IllegalArgumentException.class, () -> DeviceBuffer.wrap(fake(FAKE_DEVICE_ADDRESS), -1, null));
        assertThrows(IllegalArgumentException.class, () -> DeviceBuffer.allocate(DeviceBuffer.Type.FLOAT, -1));
        assertThrows(IllegalArgumentException.class, () -> DeviceBuffer.allocate(DeviceBuffer.Type.FLOAT, Long.MAX_VALUE / 2));
    }

    @Test
    void closedBuffersAreRejected() {
        DeviceBuffer f = wrapped(DeviceBuffer.Type.FLOAT, 10);
        f.close();
        f.close();   // idempotent
        assertThrows(IllegalStateException.class, () -> f.copyFrom(new float[10]));
        assertThrows(IllegalStateException.class, () -> f.copyTo(new float[10]));
        assertThrows(IllegalStateException.class, () -> f.copyFrom(FloatBuffer.allocate(10)));
        assertThrows(IllegalStateException.class, f::address);
        assertThrows(IllegalStateException.class, f::pointer);
        assertThrows(IllegalStateException.class, () -> f.view(DeviceBuffer.Type.BYTE));
        DeviceBuffer codes = wrapped(DeviceBuffer.Type.BYTE, 10);
        assertThrows(IllegalStateException.class, () -> CudaKernels.encode(ElementFormat.E4M3, CastOptions.RNE, f, codes, 10));
    }

    @Test
    void kernelArgumentsAreCheckedFirst() {
        DeviceBuffer x = wrapped(DeviceBuffer.Type.FLOAT, 10);
        DeviceBuffer bytes = wrapped(DeviceBuffer.Type.BYTE, 10);
        DeviceBuffer shorts = wrapped(DeviceBuffer.Type.SHORT, 10);
        DeviceBuffer ints = wrapped(DeviceBuffer.Type.INT, 40);
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.encode(ElementFormat.E4M3, CastOptions.RNE, x, shorts, 10));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.encode(ElementFormat.BF16, CastOptions.RNE, x, bytes, 10));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.encode(ElementFormat.E4M3, CastOptions.RNE, x, bytes, 11));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.encode(ElementFormat.E4M3, CastOptions.RNE, x, bytes, -1));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.encode(null, CastOptions.RNE, x, bytes, 1));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.decode(ElementFormat.E4M3, bytes, bytes, 1));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.encodePackedE2M1(CastOptions.RNE, x, wrapped(DeviceBuffer.Type.BYTE, 4), 10));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.randomWords(io.lowbit.RandomStream.of(1), ints, 41));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.randomWords(io.lowbit.RandomStream.of(1), x, 1));
        assertThrows(IllegalArgumentException.class, () -> CudaKernels.philox(ints, ints, ints, 11));
    }
}
