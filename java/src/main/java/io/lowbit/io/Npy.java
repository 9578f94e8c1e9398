package io.lowbit.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files, format version 1.0 (and reads 2.0/3.0),
 * C order, the dtypes of {@link NpyArray.Dtype}. The header is a Python dict literal of
 * three fixed keys; it is parsed with one regular expression per key, and anything
 * unexpected is a clear {@link IOException}, never a crash.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static NpyArray read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    public static NpyArray parse(byte[] bytes, String what) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10) throw new IOException(what + ": not an .npy file (only " + bytes.length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) throw new IOException(what + ": not an .npy file (bad magic)");
        }
        int major = bytes[6];
        b.position(8);
        long headerLen = major == 1 ? (b.getShort() & 0xFFFF) : (b.getInt() & 0xFFFFFFFFL);
        int dataStart = (major == 1 ? 10 : 12) + (int) Math.min(headerLen, Integer.MAX_VALUE);
        if (major < 1 || major > 3 || dataStart > bytes.length) {
            throw new IOException(what + ": bad .npy header (version " + major + ", length " + headerLen + ")");
        }
        String header = new String(bytes, major == 1 ? 10 : 12, (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, what, "descr");
        if ("True".equals(group(FORTRAN, header, what, "fortran_order"))) {
            throw new IOException(what + ": Fortran-order arrays are not supported (vector format: C order)");
        }
        NpyArray.Dtype dtype = null;
        for (NpyArray.Dtype d : NpyArray.Dtype.values()) {
            if (d.descr.equals(descr) || (d.size == 1 && d.descr.substring(1).equals(descr.substring(Math.min(1, descr.length()))))) {
                dtype = d;
            }
        }
        if (dtype == null) throw new IOException(what + ": unsupported dtype '" + descr + "' (supported: <f4 |u1 |i1 <u2 <u4 <i4 <i8)");
        int[] shape = parseShape(group(SHAPE, header, what, "shape"), what);
        long n = 1;
        for (int d : shape) n *= d;
        long need = n * dtype.size;
        if (bytes.length - dataStart < need) {
            throw new IOException(what + ": truncated: shape needs " + need + " data bytes, file has " + (bytes.length - dataStart));
        }
        b.position(dataStart);
        int count = (int) n;
        Object data;
        switch (dtype) {
            case F4: { float[] v = new float[count]; b.asFloatBuffer().get(v); data = v; break; }
            case U1: case I1: { byte[] v = new byte[count]; b.get(v); data = v; break; }
            case U2: { short[] v = new short[count]; b.asShortBuffer().get(v); data = v; break; }
            case U4: case I4: { int[] v = new int[count]; b.asIntBuffer().get(v); data = v; break; }
            case I8: { long[] v = new long[count]; b.asLongBuffer().get(v); data = v; break; }
            default: throw new AssertionError(dtype);
        }
        return new NpyArray(dtype, shape, data);
    }

    private static String group(Pattern p, String header, String what, String key) throws IOException {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new IOException(what + ": .npy header has no '" + key + "': " + header.trim());
        return m.group(1);
    }

    private static int[] parseShape(String s, String what) throws IOException {
        List<Integer> dims = new ArrayList<>();
        for (String part : s.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            try {
                long d = Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
                if (d < 0 || d > Integer.MAX_VALUE) throw new NumberFormatException();
                dims.add((int) d);
            } catch (NumberFormatException e) {
                throw new IOException(what + ": bad shape (" + s + ")");
            }
        }
        long n = 1;
        for (int d : dims) {
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IOException(what + ": array too large for one Java array (" + s + ")");
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The file's bytes: version 1.0 header padded to a multiple of 64, then the data. */
    public static byte[] toBytes(NpyArray a) {
        StringBuilder shape = new StringBuilder("(");
        for (int d : a.shape()) shape.append(d).append(", ");
        if (a.rank() > 0) shape.setLength(shape.length() - (a.rank() == 1 ? 1 : 2));
        shape.append(")");
        String dict = "{'descr': '" + a.dtype().descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        StringBuilder header = new StringBuilder(dict);
        while (10 + header.length() + 1 < padded) header.append(' ');
        header.append('\n');
        int n = (int) a.size();
        ByteBuffer b = ByteBuffer.allocate(padded + n * a.dtype().size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        switch (a.dtype()) {
            case F4: for (float v : a.floats()) b.putFloat(v); break;
            case U1: case I1: b.put(a.bytes(), 0, n); break;
            case U2: for (short v : a.shorts()) b.putShort(v); break;
            case U4: case I4: for (int v : a.ints()) b.putInt(v); break;
            case I8: for (long v : a.longs()) b.putLong(v); break;
            default: throw new AssertionError();
        }
        return b.array();
    }

    /** Writes atomically: a temporary file in the same directory, then a rename. */
    public static void write(Path file, NpyArray a) throws IOException {
        AtomicFiles.write(file, toBytes(a));
    }
}
