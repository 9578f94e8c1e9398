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

    private static DeviceCodebook fakeBook(io.lowbit.Codebook c) {
        return DeviceCodebook.of(c, wrapped(DeviceBuffer.Type.FLOAT, c.size()), wrapped(DeviceBuffer.Type.FLOAT, c.size() - 1));
    }

    @Test
    void blockwiseArgumentsAreCheckedFirst() {
        DeviceCodebook book = fakeBook(io.lowbit.Codebook.DYNAMIC_SIGNED), nf4 = fakeBook(io.lowbit.Codebook.NF4);
        DeviceBuffer x = wrapped(DeviceBuffer.Type.FLOAT, 600), absmax = wrapped(DeviceBuffer.Type.FLOAT, 3);
        DeviceBuffer codes = wrapped(DeviceBuffer.Type.BYTE, 600), packed = wrapped(DeviceBuffer.Type.BYTE, 300);
        assertMessage("absmax must hold at least 3 elements, got 2",
                () -> CudaKernels.blockwiseQuantize(book, 256, x, 600, wrapped(DeviceBuffer.Type.FLOAT, 2), codes));
        assertMessage("codes must be a BYTE buffer, got FLOAT", () -> CudaKernels.blockwiseQuantize(book, 256, x, 600, absmax, x));
        assertMessage("x must be a FLOAT buffer, got BYTE", () -> CudaKernels.blockwiseQuantize(book, 256, codes, 600, absmax, codes));
        assertMessage("x must hold at least 601 elements", () -> CudaKernels.blockwiseQuantize(book, 256, x, 601, absmax, codes));
        assertMessage("n must be >= 0", () -> CudaKernels.blockwiseQuantize(book, 256, x, -1, absmax, codes));
        assertMessage("blockSize must be in 1..", () -> CudaKernels.blockwiseQuantize(book, 0, x, 600, absmax, codes));
        assertMessage("book", () -> CudaKernels.blockwiseQuantize(null, 256, x, 600, absmax, codes));
        assertMessage("packed must hold at least 300 elements, got 299",
                () -> CudaKernels.blockwiseQuantize4(nf4, 256, x, 600, absmax, wrapped(DeviceBuffer.Type.BYTE, 299)));
        assertMessage("blockSize must be even for 4-bit codes, got 255",
                () -> CudaKernels.blockwiseQuantize4(nf4, 255, x, 600, wrapped(DeviceBuffer.Type.FLOAT, 3), packed));
        assertMessage("book must hold at most 16 values for 4-bit codes, got 256",
                () -> CudaKernels.blockwiseQuantize4(book, 256, x, 600, absmax, packed));
        assertMessage("out must hold at least 600 elements",
                () -> CudaKernels.blockwiseDequantize(book, 256, codes, absmax, 600, wrapped(DeviceBuffer.Type.FLOAT, 599)));
        assertMessage("packed must be a BYTE buffer, got FLOAT", () -> CudaKernels.blockwiseDequantize4(nf4, 256, x, absmax, 600, x));

        io.lowbit.backend.AdamWScalars s = io.lowbit.backend.AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, 1);
        DeviceCodebook vBook = fakeBook(io.lowbit.Codebook.DYNAMIC_UNSIGNED);
        DeviceBuffer vCodes = wrapped(DeviceBuffer.Type.BYTE, 600), vAbsmax = wrapped(DeviceBuffer.Type.FLOAT, 3);
        assertMessage("s", () -> CudaKernels.adamw8(null, book, vBook, 256, x, x, codes, absmax, vCodes, vAbsmax, 600));
        assertMessage("vBook", () -> CudaKernels.adamw8(s, book, null, 256, x, x, codes, absmax, vCodes, vAbsmax, 600));
        assertMessage("g must hold at least 600 elements, got 599", () -> CudaKernels.adamw8(s, book, vBook, 256, x,
                wrapped(DeviceBuffer.Type.FLOAT, 599), codes, absmax, vCodes, vAbsmax, 600));
        assertMessage("p must be a FLOAT buffer, got BYTE",
                () -> CudaKernels.adamw8(s, book, vBook, 256, codes, x, codes, absmax, vCodes, vAbsmax, 600));
        assertMessage("mCodes must hold at least 600", () -> CudaKernels.adamw8(s, book, vBook, 256, x, x, packed, absmax,
                vCodes, vAbsmax, 600));
        assertMessage("vAbsmax must hold at least 3 elements, got 2", () -> CudaKernels.adamw8(s, book, vBook, 256, x, x,
                codes, absmax, vCodes, wrapped(DeviceBuffer.Type.FLOAT, 2), 600));
        assertMessage("vCodes must be a BYTE buffer, got FLOAT",
                () -> CudaKernels.adamw8(s, book, vBook, 256, x, x, codes, absmax, x, vAbsmax, 600));
    }

    @Test
    void blockwiseRejectsClosedBuffersAndCodebooks() {
        DeviceCodebook book = fakeBook(io.lowbit.Codebook.DYNAMIC_SIGNED);
        DeviceBuffer x = wrapped(DeviceBuffer.Type.FLOAT, 256), absmax = wrapped(DeviceBuffer.Type.FLOAT, 1);
        DeviceBuffer codes = wrapped(DeviceBuffer.Type.BYTE, 256);
        DeviceBuffer closed = wrapped(DeviceBuffer.Type.BYTE, 256);
        closed.close();
        assertThrows(IllegalStateException.class, () -> CudaKernels.blockwiseQuantize(book, 256, x, 256, absmax, closed));
        book.close();   // wraps fake addresses: not owned, nothing freed
        assertTrue(book.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CudaKernels.blockwiseQuantize(book, 256, x, 256, absmax, codes));
        assertTrue(e.getMessage().contains("book: DeviceCodebook (dynamic-signed) is closed"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> CudaKernels.adamw8(io.lowbit.backend.AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, 1), book,
                        fakeBook(io.lowbit.Codebook.DYNAMIC_UNSIGNED), 256, x, x, codes, absmax, codes, absmax, 256));
    }

    @Test
    void lsqArgumentsAreCheckedFirst() {
        // 3 rows x 100 cols, groups of 32: 4 segments per row, 12 in all
        DeviceBuffer x = wrapped(DeviceBuffer.Type.FLOAT, 300), scales = wrapped(DeviceBuffer.Type.FLOAT, 12);
        DeviceBuffer q = wrapped(DeviceBuffer.Type.FLOAT, 300), ds = wrapped(DeviceBuffer.Type.FLOAT, 12);
        assertMessage("scales must hold at least 12 elements, got 11",
                () -> CudaKernels.lsqForward(x, 3, 100, 32, wrapped(DeviceBuffer.Type.FLOAT, 11), null, 8, 7, q));
        assertMessage("group must be in 1..", () -> CudaKernels.lsqForward(x, 3, 100, 0, scales, null, 8, 7, q));
        assertMessage("qn must be in 0..", () -> CudaKernels.lsqForward(x, 3, 100, 32, scales, null, -1, 7, q));
        assertMessage("qp must be in 1..", () -> CudaKernels.lsqForward(x, 3, 100, 32, scales, null, 8, 0, q));
        assertMessage("rows must be in 0..", () -> CudaKernels.lsqForward(x, -3, 100, 32, scales, null, 8, 7, q));
        assertMessage("rows * cols must be at most", () -> CudaKernels.lsqForward(x, 1 << 16, 1 << 16, 32, scales, null, 8, 7, q));
        assertMessage("x must hold at least 303 elements", () -> CudaKernels.lsqForward(x, 3, 101, 32, scales, null, 8, 7, q));
        assertMessage("offsets must be a FLOAT buffer, got BYTE", () -> CudaKernels.lsqForward(x, 3, 100, 32, scales,
                wrapped(DeviceBuffer.Type.BYTE, 12), 8, 7, q));
        assertMessage("q must be a FLOAT buffer, got INT",
                () -> CudaKernels.lsqForward(x, 3, 100, 32, scales, null, 8, 7, wrapped(DeviceBuffer.Type.INT, 300)));
        assertMessage("offsets and dOffsets must both be null (LSQ) or both given (LSQ+)",
                () -> CudaKernels.lsqBackward(x, x, 3, 100, 32, scales, scales, 8, 7, q, ds, null));
        assertMessage("ds must hold at least 12 elements, got 11", () -> CudaKernels.lsqBackward(x, x, 3, 100, 32, scales, null,
                8, 7, q, wrapped(DeviceBuffer.Type.FLOAT, 11), null));
        assertMessage("g must hold at least 300 elements", () -> CudaKernels.lsqBackward(x, wrapped(DeviceBuffer.Type.FLOAT, 299),
                3, 100, 32, scales, null, 8, 7, q, ds, null));
        assertMessage("dOffsets must hold at least 12", () -> CudaKernels.lsqBackward(x, x, 3, 100, 32, scales, scales, 8, 7, q,
                ds, wrapped(DeviceBuffer.Type.FLOAT, 4)));
        DeviceBuffer closed = wrapped(DeviceBuffer.Type.FLOAT, 300);
        closed.close();
        assertThrows(IllegalStateException.class, () -> CudaKernels.lsqForward(closed, 3, 100, 32, scales, null, 8, 7, q));
        assertThrows(IllegalStateException.class, () -> CudaKernels.lsqBackward(x, x, 3, 100, 32, scales, null, 8, 7, closed,
                ds, null));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
