package io.lowbit.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.lowbit.ElementFormat;
import io.lowbit.backend.scalar.ScalarCodec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors file format: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code name -> {"dtype", "shape", "data_offsets": [begin, end]}} plus an optional
 * {@code "__metadata__"} map of strings), then the tensors' little-endian bytes. Every offset
 * and size is checked on reading; writing is atomic (no partial file is ever left).
 *
 * <p>Block-quantized tensors on top of this: {@link io.lowbit.mx.MxSafetensors}.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Element types lowbit reads and writes. */
    public enum Dtype {
        F32(4), F16(2), BF16(2), U8(1), I8(1), I32(4), I64(8);

        public final int size;

        Dtype(int size) { this.size = size; }
    }

    /** One tensor: dtype, shape and its raw little-endian bytes. */
    public record Tensor(Dtype dtype, long[] shape, byte[] data) {
        public Tensor {
            long n = elementCount(shape);
            if (n * dtype.size != data.length) {
                throw new IllegalArgumentException("data must hold " + n * dtype.size + " bytes for shape "
                        + Arrays.toString(shape) + " " + dtype + ", got " + data.length);
            }
        }

        public long elementCount() { return elementCount(shape); }

        /** F32, F16 or BF16 data as float32 (exact). */
        public float[] floats() {
            int n = (int) elementCount();
            float[] out = new float[n];
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32: b.asFloatBuffer().get(out); break;
                case F16: for (int i = 0; i < n; i++) out[i] = ScalarCodec.decode(ElementFormat.FP16, b.getShort(2 * i)); break;
                case BF16: for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat(b.getShort(2 * i) << 16); break;
                default: throw new IllegalArgumentException("tensor has dtype " + dtype + ", expected F32, F16 or BF16");
            }
            return out;
        }

        public static Tensor ofFloats(float[] v, long... shape) {
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            return new Tensor(Dtype.F32, shape, b.array());
        }

        public static Tensor ofBytes(byte[] v, long... shape) { return new Tensor(Dtype.U8, shape, v); }

        static long elementCount(long[] shape) {
            long n = 1;
            for (long d : shape) {
                if (d < 0) throw new IllegalArgumentException("shape must not be negative, got " + Arrays.toString(shape));
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        @Override
        public String toString() { return dtype + Arrays.toString(shape); }
    }

    /** A whole file: tensors in order, and the string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents() { this(new LinkedHashMap<>(), new LinkedHashMap<>()); }
    }

    public static Contents read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE) throw new IOException(file + ": files over 2 GiB are not supported (" + size + " bytes)");
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Parses a file's bytes; anything inconsistent is an IOException naming {@code what}. */
    public static Contents parse(byte[] bytes, String what) throws IOException {
        if (bytes.length < 8) throw new IOException(what + ": truncated safetensors file (" + bytes.length + " bytes, no header length)");
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > bytes.length - 8L) {
            throw new IOException(what + ": header length " + headerLength + " is beyond the file (" + bytes.length + " bytes)");
        }
        int dataStart = 8 + (int) headerLength;
        JsonObject header;
        try {
            JsonElement e = JsonParser.parseString(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) throw new IOException(what + ": header is not a JSON object");
            header = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(what + ": header is not valid JSON: " + e.getMessage(), e);
        }
        Contents out = new Contents();
        long dataLength = bytes.length - (long) dataStart;
        for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
            String name = entry.getKey();
            try {
                if (name.equals("__metadata__")) {
                    for (Map.Entry<String, JsonElement> m : entry.getValue().getAsJsonObject().entrySet()) {
                        out.metadata().put(m.getKey(), m.getValue().getAsString());
                    }
                    continue;
                }
                JsonObject t = entry.getValue().getAsJsonObject();
                Dtype dtype;
                try {
                    dtype = Dtype.valueOf(t.get("dtype").getAsString());
                } catch (IllegalArgumentException e) {
                    throw new IOException(what + ": tensor '" + name + "' has unsupported dtype " + t.get("dtype")
                            + " (supported: " + Arrays.toString(Dtype.values()) + ")");
                }
                JsonArray shapeJson = t.getAsJsonArray("shape");
                long[] shape = new long[shapeJson.size()];
                for (int i = 0; i < shape.length; i++) shape[i] = shapeJson.get(i).getAsLong();
                JsonArray offsets = t.getAsJsonArray("data_offsets");
                long begin = offsets.get(0).getAsLong();
                long end = offsets.get(1).getAsLong();
                if (begin < 0 || end < begin || end > dataLength) {
                    throw new IOException(what + ": tensor '" + name + "' data_offsets [" + begin + ", " + end
                            + "] lie outside the " + dataLength + " data bytes (truncated file?)");
                }
                long need = Tensor.elementCount(shape) * dtype.size;
                if (need != end - begin) {
                    throw new IOException(what + ": tensor '" + name + "' of shape " + Arrays.toString(shape) + " " + dtype
                            + " needs " + need + " bytes, data_offsets give " + (end - begin));
                }
                byte[] data = Arrays.copyOfRange(bytes, dataStart + (int) begin, dataStart + (int) end);
                out.tensors().put(name, new Tensor(dtype, shape, data));
            } catch (IllegalStateException | NullPointerException | UnsupportedOperationException
                     | IndexOutOfBoundsException | ArithmeticException | IllegalArgumentException e) {
                throw new IOException(what + ": malformed header entry '" + name + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The file's bytes: header padded with spaces to a multiple of 8, data in tensor order. */
    public static byte[] toBytes(Contents c) {
        JsonObject header = new JsonObject();
        if (!c.metadata().isEmpty()) {
            JsonObject m = new JsonObject();
            c.metadata().forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            Tensor t = e.getValue();
            JsonObject o = new JsonObject();
            o.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) shape.add(d);
            o.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + t.data().length);
            o.add("data_offsets", offsets);
            header.add(e.getKey(), o);
            offset += t.data().length;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("safetensors output over 2 GiB is not supported");
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded);
        b.put(json);
        for (int i = json.length; i < padded; i++) b.put((byte) ' ');
        for (Tensor t : c.tensors().values()) b.put(t.data());
        return b.array();
    }

    /** Writes atomically: a temporary file beside the target, then a rename. */
    public static void write(Path file, Contents c) throws IOException {
        AtomicFiles.write(file, toBytes(c));
    }

}
