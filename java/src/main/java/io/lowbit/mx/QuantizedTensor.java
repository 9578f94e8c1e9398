package io.lowbit.mx;

import io.lowbit.Checks;
import io.lowbit.ElementFormat;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.io.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * A block-quantized float32 matrix {@code [rows, cols]}: element codes in the storage layout
 * of contract 4.4 ({@link MxPacking}, 4-bit codes two per byte, others one per byte),
 * one scale code per block, and for scaled formats (contract 5) the float32 tensor scale
 * decT (1 for MX formats).
 *
 * <p>Scales: {@code [rows, ceil(cols/blockSize)]} for axis -1, {@code [ceil(rows/blockSize),
 * cols]} for axis 0; scaled formats always run along rows with block 16.
 */
public final class QuantizedTensor {
    private static final int MAGIC = 0x4C425154;   // "LBQT"
    private static final int VERSION = 1;

    private final MxFormat format;
    private final int rows;
    private final int cols;
    private final int axis;
    private final int blockSize;
    private final Tile tile;
    private final byte[] scales;
    private final byte[] packedCodes;
    private final float tensorScale;

    /**
     * @throws IllegalArgumentException when the arrays do not have the lengths the shape,
     *                                  axis and block size give
     */
    public QuantizedTensor(MxFormat format, int rows, int cols, int axis, int blockSize, Tile tile,
                           byte[] scales, byte[] packedCodes, float tensorScale) {
        this.format = Checks.notNull("format", format);
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        if ((long) rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rows * cols must be at most " + Integer.MAX_VALUE + ", got " + (long) rows * cols);
        }
        if (format.isScaled()) {
            if (axis != -1) throw new IllegalArgumentException("axis must be -1 for " + format + ", got " + axis);
            if (blockSize != 16) throw new IllegalArgumentException("blockSize must be 16 for " + format + ", got " + blockSize);
            Checks.notNull("tile", tile);
        } else {
            if (axis != -1 && axis != 0) throw new IllegalArgumentException("axis must be -1 or 0, got " + axis);
            Checks.inRange("blockSize", blockSize, 1, 1024);
        }
        this.rows = rows;
        this.cols = cols;
        this.axis = axis;
        this.blockSize = blockSize;
        this.tile = format.isScaled() ? tile : null;
        this.scales = Checks.notNull("scales", scales);
        this.packedCodes = Checks.notNull("packedCodes", packedCodes);
        this.tensorScale = tensorScale;
        Checks.exactLength("scales", scales.length, scaleCount(rows, cols, axis, blockSize));
        Checks.exactLength("packedCodes", packedCodes.length,
                rows * MxPacking.rowBytes(format.element().bits(), false, cols));
    }

    /** Number of scale codes of a tensor. */
    public static long scaleCount(int rows, int cols, int axis, int blockSize) {
        return axis == 0 ? (long) ceilDiv(rows, blockSize) * cols : (long) rows * ceilDiv(cols, blockSize);
    }

    public MxFormat format() { return format; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    public int axis() { return axis; }
    public int blockSize() { return blockSize; }
    /** The tile of a scaled format; null for MX formats. */
    public Tile tile() { return tile; }
    /** Scale codes (E8M0, UE4M3 or UE5M3): the array itself, not a copy. */
    public byte[] scales() { return scales; }
    /** Element codes in the 4.4 storage layout: the array itself, not a copy. */
    public byte[] packedCodes() { return packedCodes; }
    /** decT for scaled formats (NaN for a tensor that held NaN or Inf), 1 for MX. */
    public float tensorScale() { return tensorScale; }

    /** One code per element, row-major [rows, cols]. */
    public byte[] codes() {
        return MxPacking.unpack(format.element().bits(), false, packedCodes, rows, cols);
    }

    /** The dequantized values (contract 4.3 / 5 step 6) on the default backend. */
    public float[] dequantize() { return dequantize(Backends.get()); }

    public float[] dequantize(Backend backend) {
        float[] out = new float[rows * cols];
        byte[] codes = codes();
        if (format.isScaled()) {
            backend.mx().dequantizeScaled(format.scaleFormat(), tensorScale, scales, codes, rows, cols, out);
        } else {
            backend.mx().dequantizeMx(format.element(), blockSize, axis, scales, codes, rows, cols, out);
        }
        return out;
    }

    // ---------------------------------------------------------------- files

    /**
     * The file's bytes (big-endian): magic "LBQT", version, format id, rows, cols, axis,
     * blockSize, tile (0 none, 1 1x16, 2 16x16), tensorScale, scales, codes (each as a
     * length and the bytes), then the CRC-32 of everything before it.
     */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(scales.length + packedCodes.length + 64);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(format.id());
            out.writeInt(rows);
            out.writeInt(cols);
            out.writeInt(axis);
            out.writeInt(blockSize);
            out.writeByte(tile == null ? 0 : tile.ordinal() + 1);
            out.writeFloat(tensorScale);
            out.writeInt(scales.length);
            out.write(scales);
            out.writeInt(packedCodes.length);
            out.write(packedCodes);
            out.flush();
            CRC32 crc = new CRC32();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);   // a byte array stream does not fail
        }
    }

    /** Writes atomically (a temporary file, then a rename). */
    public void save(Path file) throws IOException {
        AtomicFiles.write(file, toBytes());
    }

    public static QuantizedTensor load(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * Reads {@link #toBytes()}'s layout; a damaged, truncated or inconsistent file is an
     * {@link IOException} naming {@code what} and the problem.
     */
    public static QuantizedTensor parse(byte[] bytes, String what) throws IOException {
        if (bytes.length < 16) throw new IOException(what + ": not a lowbit quantized tensor (" + bytes.length + " bytes)");
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        long stored = 0;
        for (int i = bytes.length - 8; i < bytes.length; i++) stored = (stored << 8) | (bytes[i] & 0xFF);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 8));
        try {
            if (in.readInt() != MAGIC) throw new IOException(what + ": not a lowbit quantized tensor (bad magic)");
            int version = in.readInt();
            if (version != VERSION) throw new IOException(what + ": unsupported version " + version + " (expected " + VERSION + ")");
            if (stored != crc.getValue()) throw new IOException(what + ": checksum mismatch (file damaged)");
            MxFormat format = MxFormat.parse("format", in.readUTF());
            int rows = in.readInt();
            int cols = in.readInt();
            int axis = in.readInt();
            int blockSize = in.readInt();
            int tileCode = in.readUnsignedByte();
            if (tileCode > Tile.values().length) throw new IOException(what + ": bad tile code " + tileCode);
            Tile tile = tileCode == 0 ? null : Tile.values()[tileCode - 1];
            float tensorScale = in.readFloat();
            byte[] scales = readArray(in, what, "scales");
            byte[] codes = readArray(in, what, "codes");
            if (in.available() != 0) throw new IOException(what + ": " + in.available() + " unexpected trailing bytes");
            return new QuantizedTensor(format, rows, cols, axis, blockSize, tile, scales, codes, tensorScale);
        } catch (EOFException e) {
            throw new IOException(what + ": truncated", e);
        } catch (IllegalArgumentException e) {
            throw new IOException(what + ": inconsistent contents: " + e.getMessage(), e);
        }
    }

    private static byte[] readArray(DataInputStream in, String what, String name) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) throw new IOException(what + ": " + name + " length " + n + " exceeds the file");
        byte[] a = new byte[n];
        in.readFully(a);
        return a;
    }

    private static int ceilDiv(int a, int b) { return a / b + (a % b == 0 ? 0 : 1); }

    @Override
    public String toString() {
        return "QuantizedTensor[" + format + " " + rows + "x" + cols + ", axis " + axis + ", block " + blockSize
                + (tile == null ? "" : ", tile " + tile) + "]";
    }

    /** The element format of the codes. */
    public ElementFormat elementFormat() { return format.element(); }
}
