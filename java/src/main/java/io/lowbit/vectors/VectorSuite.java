package io.lowbit.vectors;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.lowbit.backend.Backend;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Runs validation vectors (docs/vector-format.md): finds the cases below some directories,
 * runs each on each backend with the op's handler from {@link OpRegistry}, and compares
 * the outputs that the case's {@code expected} names.
 *
 * <p>Every problem with a case (bad JSON, a missing or damaged .npy file, an op or
 * parameter value lowbit does not support, an exception in a handler) is that case's
 * failure, with a reason; nothing escapes {@link #run(Path, Backend)}, so one bad case never
 * stops a run.
 */
public final class VectorSuite {
    private VectorSuite() {}

    /** One case run on one backend: passed when {@code failure} is null. */
    public record Result(Path manifest, String backend, String failure) {
        public boolean passed() { return failure == null; }
    }

    /**
     * Every {@code *.json} below each root (a root may also be a single .json file), sorted
     * by path within each root so that output is stable. A file or directory that cannot be
     * read is listed too, so that running it reports the problem instead of hiding it.
     *
     * @throws NoSuchFileException if a root does not exist
     */
    public static List<Path> discover(List<Path> roots) throws IOException {
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> out = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.exists(root)) throw new NoSuchFileException(root.toString(), null, "does not exist");
            List<Path> found = new ArrayList<>();
            if (Files.isRegularFile(root)) {
                found.add(root);
            } else {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (file.getFileName().toString().endsWith(".json")) found.add(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        found.add(file);
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
            // Compare name by name, so that "a/b.json" sorts before "a-c/d.json" on every OS.
            found.sort(Comparator.comparing(p -> root.relativize(p), VectorSuite::compareByName));
            for (Path p : found) {
                if (seen.add(p.toAbsolutePath().normalize())) out.add(p);
            }
        }
        return out;
    }

    private static int compareByName(Path a, Path b) {
        int n = Math.min(a.getNameCount(), b.getNameCount());
        for (int i = 0; i < n; i++) {
            int c = a.getName(i).toString().compareTo(b.getName(i).toString());
            if (c != 0) return c;
        }
        return Integer.compare(a.getNameCount(), b.getNameCount());
    }

    /** Runs every case on every backend (case by case), telling {@code onResult} of each result. */
    public static List<Result> runAll(List<Path> manifests, List<Backend> backends, Consumer<Result> onResult) {
        List<Result> results = new ArrayList<>();
        for (Path m : manifests) {
            for (Backend b : backends) {
                Result r = run(m, b);
                results.add(r);
                if (onResult != null) onResult.accept(r);
            }
        }
        return results;
    }

    /** Runs one case on one backend. Never throws: every problem is the result's failure. */
    public static Result run(Path manifest, Backend backend) {
        String failure;
        try {
            failure = check(manifest, backend);
        } catch (Throwable e) {   // a handler's bug is this case's failure, not the run's end
            failure = reason(e);
        }
        // one line per failure in reports, whatever a message holds
        return new Result(manifest, backend.name(), failure == null ? null : failure.replaceAll("\\s*\\R\\s*", " "));
    }

    /** Null if the case passes on {@code backend}, else why not. */
    private static String check(Path manifest, Backend backend) throws Exception {
        VectorCase c = load(manifest);
        OpHandler handler = OpRegistry.get(c.op());
        if (handler == null) {
            return "unsupported op '" + c.op() + "' (lowbit supports: " + String.join(", ", new TreeSet<>(OpRegistry.all().keySet())) + ")";
        }
        Set<String> known = handler.params();
        if (known != null) {
            for (String p : c.params().keySet()) {
                if (!known.contains(p)) {
                    return "unknown parameter '" + p + "' for op '" + c.op() + "' (known: " + String.join(", ", new TreeSet<>(known)) + ")";
                }
            }
        }
        // Expected arrays first: a missing file is reported without running the op.
        Map<String, NpyArray> expected = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : c.expected().entrySet()) {
            expected.put(e.getKey(), readArray(c, "expected", e.getKey(), e.getValue()));
        }
        for (String name : c.inputs().keySet()) {
            // every named input must at least be readable, used or not
            try {
                c.input(name);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(e.getFile(), null, "input array '" + name + "': file not found");
            } catch (IOException e) {
                throw new IOException("input array '" + name + "': " + e.getMessage(), e);
            }
        }
        Map<String, NpyArray> actual = handler.run(c, backend);
        for (Map.Entry<String, NpyArray> e : expected.entrySet()) {
            String name = e.getKey();
            NpyArray got = actual == null ? null : actual.get(name);
            if (got == null) {
                return "op '" + c.op() + "' has no output '" + name + "' (it gives: "
                        + (actual == null ? "none" : String.join(", ", actual.keySet())) + ")";
            }
            String mismatch = compare(name, e.getValue(), got, bits -> handler.describe(c, name, bits));
            if (mismatch != null) return mismatch;
        }
        return null;
    }

    private static NpyArray readArray(VectorCase c, String role, String name, String file) throws IOException {
        try {
            return Npy.read(c.resolve(file));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(e.getFile(), null, role + " array '" + name + "': file not found");
        } catch (IOException e) {
            throw new IOException(role + " array '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * Parses a manifest (strict JSON): {@code op} (a string), optional {@code params} (an
     * object), optional {@code inputs} and non-empty {@code expected} (objects of file names).
     */
    public static VectorCase load(Path manifest) throws IOException {
        String text;
        try {
            text = Files.readString(manifest);
        } catch (CharacterCodingException e) {
            throw new IOException("manifest is not UTF-8 text");
        }
        JsonElement root;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.STRICT);
            root = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) throw new JsonParseException("text after the JSON object");
        } catch (JsonParseException | IllegalStateException | IOException e) {
            String msg = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            // Gson appends a troubleshooting link on a line of its own: keep the first line
            throw new MalformedCaseException("malformed JSON: " + (msg == null ? e.toString() : msg.lines().findFirst().orElse("")));
        }
        if (root.isJsonNull() && text.isBlank()) throw new MalformedCaseException("malformed JSON: empty file");
        if (!root.isJsonObject()) throw new MalformedCaseException("manifest must be a JSON object");
        JsonObject o = root.getAsJsonObject();
        JsonElement op = o.get("op");
        if (op == null || !op.isJsonPrimitive() || !op.getAsJsonPrimitive().isString()) {
            throw new MalformedCaseException("manifest needs \"op\": a string");
        }
        JsonElement params = o.get("params");
        if (params != null && !params.isJsonObject() && !params.isJsonNull()) {
            throw new MalformedCaseException("\"params\" must be an object");
        }
        Map<String, String> inputs = files(o, "inputs");
        Map<String, String> expected = files(o, "expected");
        if (expected.isEmpty()) throw new MalformedCaseException("\"expected\" names no array: nothing to compare");
        return new VectorCase(manifest, op.getAsString(),
                params == null || params.isJsonNull() ? new JsonObject() : params.getAsJsonObject(), inputs, expected);
    }

    private static Map<String, String> files(JsonObject o, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) return out;
        if (!e.isJsonObject()) throw new MalformedCaseException("\"" + key + "\" must be an object of array names to .npy file names");
        for (Map.Entry<String, JsonElement> f : e.getAsJsonObject().entrySet()) {
            JsonElement v = f.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw new MalformedCaseException("\"" + key + "\" entry '" + f.getKey() + "' must be a file name, got " + v);
            }
            out.put(f.getKey(), v.getAsString());
        }
        return out;
    }

    /** A manifest that is not a case of the vector format. */
    static final class MalformedCaseException extends IllegalArgumentException {
        MalformedCaseException(String message) { super(message); }
    }

    /** Describes one element of an integer array for messages; null means "no description". */
    @FunctionalInterface
    interface Describer {
        String describe(long bits);
    }

    /**
     * Null if {@code actual} equals {@code expected} (vector-format.md: dtype and shape equal,
     * integers exactly, float32 bit for bit except that any NaN matches any NaN), else the
     * first difference.
     */
    static String compare(String name, NpyArray expected, NpyArray actual, Describer describer) {
        if (expected.dtype() != actual.dtype()) {
            return "array '" + name + "': dtype: expected " + expected.dtype().descr + ", got " + actual.dtype().descr;
        }
        if (!Arrays.equals(expected.shape(), actual.shape())) {
            return "array '" + name + "': shape: expected " + Arrays.toString(expected.shape())
                    + ", got " + Arrays.toString(actual.shape());
        }
        int n = (int) expected.size();
        int first = -1;
        int differing = 0;
        for (int i = 0; i < n; i++) {
            if (!same(expected, actual, i)) {
                if (first < 0) first = i;
                differing++;
            }
        }
        if (first < 0) return null;
        return "array '" + name + "' index " + first + ": expected " + show(expected, first, describer)
                + " got " + show(actual, first, describer)
                + (differing > 1 ? " (" + differing + " of " + n + " elements differ)" : "");
    }

    private static boolean same(NpyArray a, NpyArray b, int i) {
        if (a.dtype() == NpyArray.Dtype.F4) {
            float x = a.floats()[i];
            float y = b.floats()[i];
            return Float.floatToRawIntBits(x) == Float.floatToRawIntBits(y) || (Float.isNaN(x) && Float.isNaN(y));
        }
        return bits(a, i) == bits(b, i);
    }

    /** Element i's bits, zero-extended to its width. */
    private static long bits(NpyArray a, int i) {
        switch (a.dtype()) {
            case F4: return Float.floatToRawIntBits(a.floats()[i]) & 0xFFFFFFFFL;
            case U1: case I1: return a.bytes()[i] & 0xFFL;
            case U2: return a.shorts()[i] & 0xFFFFL;
            case U4: case I4: return a.ints()[i] & 0xFFFFFFFFL;
            case I8: return a.longs()[i];
            default: throw new AssertionError(a.dtype());
        }
    }

    /** "0x7e (448.0)": the bits in hex (the dtype's width), then the value. */
    private static String show(NpyArray a, int i, Describer describer) {
        long bits = bits(a, i);
        String hex = String.format("0x%0" + (a.dtype().size * 2) + "x", bits);
        String value;
        switch (a.dtype()) {
            case F4: value = Float.toString(a.floats()[i]); break;
            case I1: value = Byte.toString(a.bytes()[i]); break;
            case I4: value = Integer.toString(a.ints()[i]); break;
            case I8: value = Long.toString(bits); break;
            default: {
                String d = describer == null ? null : describer.describe(bits);
                value = d != null ? d : Long.toString(bits);
            }
        }
        return hex + " (" + value + ")";
    }

    /** A failure reason for an exception raised while loading or running a case. */
    static String reason(Throwable e) {
        String msg = e.getMessage();
        if (e instanceof UnsupportedOperationException) return "unsupported: " + msg;
        if (e instanceof NoSuchFileException) {
            NoSuchFileException f = (NoSuchFileException) e;
            return (f.getReason() != null ? f.getReason() + ": " : "file not found: ") + f.getFile();
        }
        if (e instanceof MalformedCaseException) return msg;
        if ((e instanceof IOException || e instanceof IllegalArgumentException) && msg != null) return msg;
        StackTraceElement[] at = e.getStackTrace();
        return "error: " + e + (at.length > 0 ? " at " + at[0] : "");
    }
}
