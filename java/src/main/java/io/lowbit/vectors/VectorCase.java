package io.lowbit.vectors;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One validation case (vector-format.md): a manifest's op, params, input and expected
 * array files. Parameter getters fail with a message naming the case, the parameter and
 * what was expected.
 */
public final class VectorCase {
    private final Path manifest;
    private final String op;
    private final JsonObject params;
    private final Map<String, String> inputs;
    private final Map<String, String> expected;
    private final Map<String, NpyArray> loaded = new LinkedHashMap<>();

    public VectorCase(Path manifest, String op, JsonObject params, Map<String, String> inputs, Map<String, String> expected) {
        this.manifest = manifest;
        this.op = op;
        this.params = params == null ? new JsonObject() : params;
        this.inputs = inputs;
        this.expected = expected;
    }

    public Path manifest() { return manifest; }
    public String op() { return op; }
    public JsonObject params() { return params; }
    /** Input array names to file names, relative to the manifest's directory. */
    public Map<String, String> inputs() { return inputs; }
    /** Expected array names to file names, relative to the manifest's directory. */
    public Map<String, String> expected() { return expected; }

    public Path resolve(String file) {
        Path dir = manifest.toAbsolutePath().getParent();
        return dir.resolve(file);
    }

    public boolean hasInput(String name) { return inputs.containsKey(name); }

    /** The input array {@code name}; a missing or unreadable file is a clear error. */
    public NpyArray input(String name) throws IOException {
        NpyArray a = loaded.get(name);
        if (a == null) {
            String file = inputs.get(name);
            if (file == null) throw new IllegalArgumentException("input '" + name + "' missing (op " + op + " needs it)");
            a = Npy.read(resolve(file));
            loaded.put(name, a);
        }
        return a;
    }

    public boolean has(String param) { return params.has(param) && !params.get(param).isJsonNull(); }

    private JsonElement required(String name) {
        if (!has(name)) throw new IllegalArgumentException("parameter '" + name + "' missing (op " + op + ")");
        return params.get(name);
    }

    public String string(String name) {
        JsonElement e = required(name);
        if (!e.isJsonPrimitive()) throw bad(name, "a string", e);
        return e.getAsString();
    }

    public String string(String name, String dflt) { return has(name) ? string(name) : dflt; }

    public boolean bool(String name, boolean dflt) {
        if (!has(name)) return dflt;
        JsonElement e = params.get(name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) throw bad(name, "true or false", e);
        return e.getAsBoolean();
    }

    /** An integer parameter; may be written as a number or a decimal string (vector-format.md). */
    public long integer(String name) {
        JsonElement e = required(name);
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
                String s = e.getAsString().trim();
                return s.startsWith("-") ? Long.parseLong(s) : Long.parseUnsignedLong(s);
            }
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                return e.getAsBigDecimal().longValueExact();
            }
        } catch (NumberFormatException | ArithmeticException ex) {
            // fall through
        }
        throw bad(name, "an integer", e);
    }

    public long integer(String name, long dflt) { return has(name) ? integer(name) : dflt; }

    public int int32(String name, int dflt) {
        long v = integer(name, dflt);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw bad(name, "a 32-bit integer", params.get(name));
        return (int) v;
    }

    public double number(String name) {
        JsonElement e = required(name);
        try {
            return e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()
                    ? Double.parseDouble(e.getAsString()) : e.getAsDouble();
        } catch (RuntimeException ex) {
            throw bad(name, "a number", e);
        }
    }

    public double number(String name, double dflt) { return has(name) ? number(name) : dflt; }

    private IllegalArgumentException bad(String name, String want, JsonElement got) {
        return new IllegalArgumentException("parameter '" + name + "' must be " + want + ", got " + got);
    }

    @Override
    public String toString() { return manifest.toString(); }
}
