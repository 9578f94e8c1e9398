package io.lowbit.mx;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lowbit.io.Safetensors;
import io.lowbit.io.Safetensors.Contents;
import io.lowbit.io.Safetensors.Dtype;
import io.lowbit.io.Safetensors.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Block-quantized tensors in safetensors files, in two layouts:
 * <ul>
 *   <li>gpt-oss (MXFP4, block 32 along the last axis, the last dimension a multiple of 32):
 *       {@code NAME_blocks} U8 {@code [..., nblocks, 16]} (32 E2M1 codes per block, element
 *       2j in the low nibble of byte j) and {@code NAME_scales} U8 {@code [..., nblocks]}
 *       (E8M0). No metadata is needed: the layout is recognized by the name pair.</li>
 *   <li>lowbit's own, for everything else: {@code NAME_lowbit_codes} U8 (codes in the 4.4
 *       storage layout, {@code [rows, bytes per row]}), {@code NAME_lowbit_scales} U8 (the
 *       scale codes, flat), and {@code __metadata__["lowbit:NAME"]} a JSON string with format,
 *       shape, axis, blockSize, tile and the tensor scale's float bits.</li>
 * </ul>
 * A tensor of shape {@code [d0, ..., dk]} is quantized as the matrix {@code [d0*...*d(k-1), dk]}.
 */
public final class MxSafetensors {
    public static final String BLOCKS = "_blocks";
    public static final String SCALES = "_scales";
    public static final String CODES = "_lowbit_codes";
    public static final String LOWBIT_SCALES = "_lowbit_scales";
    public static final String META = "lowbit:";

    private MxSafetensors() {}

    /** A quantized tensor with its original shape. */
    public record Entry(QuantizedTensor tensor, long[] shape) {}

    /** True when {@code q} fits the gpt-oss MXFP4 layout. */
    public static boolean fitsGptOss(QuantizedTensor q) {
        return q.format() == MxFormat.MXFP4 && q.axis() == -1 && q.blockSize() == 32 && q.cols() % 32 == 0;
    }

    /** Adds {@code q} (of original {@code shape}) under {@code name}: gpt-oss layout if it fits. */
    public static void put(Contents c, String name, QuantizedTensor q, long[] shape) {
        long[] s = shape.length == 0 ? new long[] {1} : shape;
        if (s[s.length - 1] != q.cols() || Arrays.stream(s).reduce(1, Math::multiplyExact) != (long) q.rows() * q.cols()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match the tensor's "
                    + q.rows() + "x" + q.cols());
        }
        if (fitsGptOss(q)) {
            long[] outer = Arrays.copyOf(s, s.length - 1);
            long nblocks = q.cols() / 32;
            c.tensors().put(name + BLOCKS, Tensor.ofBytes(q.packedCodes(), append(outer, nblocks, 16)));
            c.tensors().put(name + SCALES, Tensor.ofBytes(q.scales(), append(outer, nblocks)));
            return;
        }
        c.tensors().put(name + CODES, Tensor.ofBytes(q.packedCodes(), q.rows(), q.packedCodes().length / Math.max(1, q.rows())));
        c.tensors().put(name + LOWBIT_SCALES, Tensor.ofBytes(q.scales(), q.scales().length));
        JsonObject m = new JsonObject();
        m.addProperty("format", q.format().id());
        m.add("shape", new com.google.gson.Gson().toJsonTree(s));
        m.addProperty("axis", q.axis());
        m.addProperty("blockSize", q.blockSize());
        if (q.tile() != null) m.addProperty("tile", q.tile().id());
        m.addProperty("tensorScaleBits", Float.floatToRawIntBits(q.tensorScale()));
        c.metadata().put(META + name, m.toString());
    }

    /**
     * Every quantized tensor of the file, by name, in either layout.
     *
     * @throws IllegalArgumentException for a {@code _blocks} without its {@code _scales} (or
     *         the reverse), mismatched shapes or dtypes, or bad lowbit metadata
     */
    public static Map<String, Entry> quantized(Contents c) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            String key = e.getKey();
            if (!key.endsWith(BLOCKS)) continue;
            String name = key.substring(0, key.length() - BLOCKS.length());
            Tensor blocks = e.getValue();
            Tensor scales = c.tensors().get(name + SCALES);
            if (scales == null) throw new IllegalArgumentException("tensor '" + key + "' has no '" + name + SCALES + "'");
            long[] bs = blocks.shape();
            if (blocks.dtype() != Dtype.U8 || scales.dtype() != Dtype.U8) {
                throw new IllegalArgumentException("'" + key + "' and '" + name + SCALES + "' must be U8, got "
                        + blocks.dtype() + " and " + scales.dtype());
            }
            if (bs.length < 2 || bs[bs.length - 1] != 16 || !Arrays.equals(scales.shape(), Arrays.copyOf(bs, bs.length - 1))) {
                throw new IllegalArgumentException("'" + key + "' must be [..., nblocks, 16] and '" + name + SCALES
                        + "' [..., nblocks]; got " + Arrays.toString(bs) + " and " + Arrays.toString(scales.shape()));
            }
            long[] shape = Arrays.copyOf(bs, bs.length - 1);
            shape[shape.length - 1] *= 32;
            long cols = shape[shape.length - 1];
            long rows = blocks.elementCount() * 2 / Math.max(1, cols);
            checkInt(key, rows, cols);
            out.put(name, new Entry(new QuantizedTensor(MxFormat.MXFP4, (int) rows, (int) cols, -1, 32, null,
                    scales.data(), blocks.data(), 1f), shape));
        }
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            String key = e.getKey();
            if (key.endsWith(SCALES) && !key.endsWith(LOWBIT_SCALES)
                    && !c.tensors().containsKey(key.substring(0, key.length() - SCALES.length()) + BLOCKS)) {
                throw new IllegalArgumentException("tensor '" + key + "' has no matching '_blocks' tensor");
            }
        }
        for (Map.Entry<String, String> m : c.metadata().entrySet()) {
            if (!m.getKey().startsWith(META)) continue;
            String name = m.getKey().substring(META.length());
            Tensor codes = c.tensors().get(name + CODES);
            Tensor scales = c.tensors().get(name + LOWBIT_SCALES);
            if (codes == null || scales == null) {
                throw new IllegalArgumentException("metadata '" + m.getKey() + "' without tensors '" + name + CODES
                        + "' and '" + name + LOWBIT_SCALES + "'");
            }
            try {
                JsonObject o = JsonParser.parseString(m.getValue()).getAsJsonObject();
                MxFormat format = MxFormat.parse("format", o.get("format").getAsString());
                long[] shape = new com.google.gson.Gson().fromJson(o.get("shape"), long[].class);
                long cols = shape[shape.length - 1];
                long rows = Arrays.stream(shape).reduce(1, Math::multiplyExact) / Math.max(1, cols);
                checkInt(name, rows, cols);
                Tile tile = o.has("tile") ? Tile.parse("tile", o.get("tile").getAsString()) : null;
                QuantizedTensor q = new QuantizedTensor(format, (int) rows, (int) cols, o.get("axis").getAsInt(),
                        o.get("blockSize").getAsInt(), tile, scales.data(), codes.data(),
                        Float.intBitsToFloat(o.get("tensorScaleBits").getAsInt()));
                out.put(name, new Entry(q, shape));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("bad lowbit metadata for '" + name + "': " + ex.getMessage(), ex);
            }
        }
        return out;
    }

    /** Names of tensors that are parts of quantized tensors (not plain tensors). */
    public static boolean isQuantizedPart(String tensorName) {
        return tensorName.endsWith(BLOCKS) || tensorName.endsWith(SCALES) || tensorName.endsWith(CODES);
    }

    private static void checkInt(String name, long rows, long cols) {
        if (rows * cols > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor '" + name + "' is too large");
    }

    private static long[] append(long[] a, long... more) {
        long[] out = Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }

    /** Reads a file and returns its quantized tensors. */
    public static Map<String, Entry> read(java.nio.file.Path file) throws java.io.IOException {
        return quantized(Safetensors.read(file));
    }
}
