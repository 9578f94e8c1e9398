package io.lowbit.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    @TempDir
    Path tmp;

    private static NpyArray sample(NpyArray.Dtype d, int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        switch (d) {
            case F4: {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = Float.intBitsToFloat(0x9E3779B9 * (i + 1));   // all sorts of bits, NaNs too
                return new NpyArray(d, shape, v);
            }
            case U1: case I1: {
                byte[] v = new byte[n];
                for (int i = 0; i < n; i++) v[i] = (byte) (i * 37 + 200);
                return new NpyArray(d, shape, v);
            }
            case U2: {
                short[] v = new short[n];
                for (int i = 0; i < n; i++) v[i] = (short) (i * 40503 + 65000);
                return new NpyArray(d, shape, v);
            }
            case U4: case I4: {
                int[] v = new int[n];
                for (int i = 0; i < n; i++) v[i] = 0x9E3779B9 * (i + 3);
                return new NpyArray(d, shape, v);
            }
            case I8: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = 0x9E3779B97F4A7C15L * (i + 5);
                return new NpyArray(d, shape, v);
            }
            default: throw new AssertionError(d);
        }
    }

    private static void assertSameArray(NpyArray want, NpyArray got) {
        assertEquals(want.dtype(), got.dtype());
        assertArrayEquals(want.shape(), got.shape());
        Object a = want.data(), b = got.data();
        if (a instanceof float[]) {
            // bit for bit, NaN payloads included
            float[] x = (float[]) a, y = (float[]) b;
            assertEquals(x.length, y.length);
            for (int i = 0; i < x.length; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), "element " + i);
        } else if (a instanceof byte[]) {
            assertArrayEquals((byte[]) a, (byte[]) b);
        } else if (a instanceof short[]) {
            assertArrayEquals((short[]) a, (short[]) b);
        } else if (a instanceof int[]) {
            assertArrayEquals((int[]) a, (int[]) b);
        } else {
            assertArrayEquals((long[]) a, (long[]) b);
        }
    }

    @Test
    void roundTripOfEveryDtypeAndShape() throws IOException {
        int[][] shapes = {{0}, {1}, {7}, {3, 5}, {2, 3, 4}, {0, 4}, {}};
        for (NpyArray.Dtype d : NpyArray.Dtype.values()) {
            for (int[] shape : shapes) {
                NpyArray a = sample(d, shape);
                Path f = tmp.resolve(d + "_" + shape.length + "_" + Arrays.toString(shape).hashCode() + ".npy");
                Npy.write(f, a);
                assertSameArray(a, Npy.read(f));
                byte[] bytes = Files.readAllBytes(f);
                // version 1.0, header padded so that the data starts at a multiple of 64
                assertEquals(1, bytes[6]);
                int headerLen = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
                assertEquals(0, (10 + headerLen) % 64);
                assertEquals('\n', bytes[10 + headerLen - 1]);
                assertEquals(10 + headerLen + a.size() * d.size, bytes.length);
            }
        }
    }

    /** A file as NumPy writes it: checked against a header written here by hand. */
    @Test
    void readsHandWrittenNumpyFile() throws IOException {
        String dict = "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 2), }";
        byte[] data = {1, 0, 2, 0, (byte) 0xFF, (byte) 0xFF, 0, (byte) 0x80};
        NpyArray a = Npy.parse(file(1, dict, data), "hand");
        assertEquals(NpyArray.Dtype.U2, a.dtype());
        assertArrayEquals(new int[] {2, 2}, a.shape());
        assertArrayEquals(new short[] {1, 2, (short) 0xFFFF, (short) 0x8000}, a.shorts());
        // version 2.0 (4-byte header length), a 1-byte dtype with another byte-order mark, Python 2 'L' suffixes
        NpyArray b = Npy.parse(file(2, "{'descr': '<u1', 'fortran_order': False, 'shape': (3L,), }", new byte[] {1, 2, 3}), "v2");
        assertEquals(NpyArray.Dtype.U1, b.dtype());
        assertArrayEquals(new byte[] {1, 2, 3}, b.bytes());
    }

    private static byte[] file(int version, String dict, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        byte[] header = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer len = ByteBuffer.allocate(version == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (version == 1) len.putShort((short) header.length);
        else len.putInt(header.length);
        out.writeBytes(len.array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static void assertBad(byte[] bytes, String... parts) {
        IOException e = assertThrows(IOException.class, () -> Npy.parse(bytes, "case.npy"));
        for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should contain '" + p + "'");
    }

    @Test
    void truncatedFiles() {
        byte[] full = Npy.toBytes(NpyArray.of(new float[] {1, 2, 3, 4}));
        assertBad(Arrays.copyOf(full, full.length - 1), "truncated", "needs 16 data bytes, file has 15");
        assertBad(Arrays.copyOf(full, 40), "bad .npy header");   // header cut short
        assertBad(Arrays.copyOf(full, 5), "not an .npy file");
        assertBad(new byte[0], "not an .npy file");
    }

    @Test
    void badMagic() {
        byte[] bytes = Npy.toBytes(NpyArray.ofU1(new byte[] {1}));
        bytes[1] = 'X';
        assertBad(bytes, "bad magic");
        byte[] text = "{'descr': '<f4'} plain text, not npy".getBytes(StandardCharsets.US_ASCII);
        assertBad(text, "bad magic");
    }

    @Test
    void fortranOrderIsRejected() {
        assertBad(file(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]), "Fortran");
    }

    @Test
    void unsupportedOrMalformedHeaders() {
        assertBad(file(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]), "unsupported dtype '>f4'");
        assertBad(file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", new byte[8]), "unsupported dtype '<f8'");
        assertBad(file(1, "{'fortran_order': False, 'shape': (1,), }", new byte[4]), "no 'descr'");
        assertBad(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, x), }", new byte[4]), "bad shape");
        assertBad(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", new byte[4]), "bad shape");
        assertBad(file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", new byte[4]), "too large");
        assertBad(file(9, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]), "version 9");
    }

    @Test
    void writeIsAtomicAndReplaces() throws IOException {
        Path f = tmp.resolve("a.npy");
        Npy.write(f, NpyArray.ofI4(new int[] {1, 2}));
        Npy.write(f, NpyArray.ofI4(new int[] {3}));
        assertArrayEquals(new int[] {3}, Npy.read(f).ints());
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }
}
