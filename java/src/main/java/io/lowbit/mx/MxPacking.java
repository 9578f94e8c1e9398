package io.lowbit.mx;

/**
 * Storage layouts of element codes (contract 4.4). Codes are packed row by row: each row of
 * {@code cols} codes starts on a byte boundary, so a row's bytes can be sliced like the
 * tensor (and for even cols this equals packing the flat array).
 * <ul>
 *   <li>4 bits: two per byte, element 2j of the row in the low nibble, 2j+1 in the high
 *       nibble; an odd row ends in a byte whose high nibble is 0. ceil(cols/2) bytes a row.</li>
 *   <li>6 bits, packed (optional): a little-endian bit stream, code j of the row in bits
 *       6j .. 6j+5 (bit 0 = the low bit of the row's first byte), so four codes fill three
 *       bytes; unused high bits of the last byte are 0. ceil(6*cols/8) bytes a row.</li>
 *   <li>6 bits unpacked (default) and 8 bits: one code per byte.</li>
 * </ul>
 */
public final class MxPacking {
    private MxPacking() {}

    /** Bytes per row of {@code cols} codes of {@code bits} bits, packed if {@code packed6}. */
    public static long rowBytes(int bits, boolean packed6, int cols) {
        if (bits == 4) return (cols + 1L) / 2;
        if (bits == 6 && packed6) return (6L * cols + 7) / 8;
        return cols;
    }

    /** Packs one-per-byte codes [rows, cols] into the storage layout. */
    public static byte[] pack(int bits, boolean packed6, byte[] codes, int rows, int cols) {
        byte[] out = new byte[Math.multiplyExact((int) rowBytes(bits, packed6, cols), rows)];
        packInto(bits, packed6, codes, rows, cols, out);
        return out;
    }

    /**
     * {@link #pack} into {@code out}, whose first {@code rows * rowBytes} bytes it overwrites
     * (6-bit packing assumes them zero).
     */
    public static void packInto(int bits, boolean packed6, byte[] codes, int rows, int cols, byte[] out) {
        int rb = (int) rowBytes(bits, packed6, cols);
        if (bits == 4) {
            for (int r = 0; r < rows; r++) {
                int in = r * cols;
                int o = r * rb;
                for (int c = 0; c + 1 < cols; c += 2) {
                    out[o + (c >> 1)] = (byte) ((codes[in + c] & 0xF) | ((codes[in + c + 1] & 0xF) << 4));
                }
                if ((cols & 1) != 0) out[o + rb - 1] = (byte) (codes[in + cols - 1] & 0xF);
            }
        } else if (bits == 6 && packed6) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int code = codes[r * cols + c] & 0x3F;
                    int bit = 6 * c;
                    int at = r * rb + (bit >> 3);
                    int shifted = code << (bit & 7);
                    out[at] |= (byte) shifted;
                    if ((bit & 7) > 2) out[at + 1] |= (byte) (shifted >>> 8);
                }
            }
        } else {
            System.arraycopy(codes, 0, out, 0, rows * cols);
        }
    }

    /** The inverse of {@link #pack}: one code per byte, [rows, cols]. */
    public static byte[] unpack(int bits, boolean packed6, byte[] packed, int rows, int cols) {
        int rb = (int) rowBytes(bits, packed6, cols);
        byte[] out = new byte[Math.multiplyExact(rows, cols)];
        if (bits == 4) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int b = packed[r * rb + (c >> 1)];
                    out[r * cols + c] = (byte) (((c & 1) == 0 ? b : b >> 4) & 0xF);
                }
            }
        } else if (bits == 6 && packed6) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    int bit = 6 * c;
                    int at = r * rb + (bit >> 3);
                    int word = (packed[at] & 0xFF) | ((bit & 7) > 2 ? (packed[at + 1] & 0xFF) << 8 : 0);
                    out[r * cols + c] = (byte) ((word >>> (bit & 7)) & 0x3F);
                }
            }
        } else {
            System.arraycopy(packed, 0, out, 0, out.length);
        }
        return out;
    }
}
