package io.lowbit.mx;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lowbit.backend.Backend;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.OpRegistry;
import io.lowbit.vectors.VectorCase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Loads vector cases and compares a handler's outputs with them (vector-format.md rules). */
final class MxCaseRunner {
    private MxCaseRunner() {}

    static List<Path> manifests(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    static VectorCase load(Path manifest) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
        return new VectorCase(manifest, o.get("op").getAsString(), o.getAsJsonObject("params"),
                strings(o.getAsJsonObject("inputs")), strings(o.getAsJsonObject("expected")));
    }

    private static Map<String, String> strings(JsonObject o) {
        Map<String, String> m = new LinkedHashMap<>();
        if (o != null) o.entrySet().forEach(e -> m.put(e.getKey(), e.getValue().getAsString()));
        return m;
    }

    /** Mismatch descriptions; empty when every expected array matches. */
    static List<String> check(Path manifest, Backend backend) throws Exception {
        VectorCase c = load(manifest);
        OpHandler h = OpRegistry.get(c.op());
        List<String> problems = new ArrayList<>();
        if (h == null) {
            problems.add("no handler for op " + c.op());
            return problems;
        }
        Map<String, NpyArray> got = h.run(c, backend);
        for (Map.Entry<String, String> e : c.expected().entrySet()) {
            NpyArray want = Npy.read(c.resolve(e.getValue()));
            NpyArray have = got.get(e.getKey());
            String where = manifest.getFileName() + " [" + backend.name() + "] " + e.getKey();
            if (have == null) {
                problems.add(where + ": not produced");
            } else {
                String d = diff(want, have);
                if (d != null) problems.add(where + ": " + d);
            }
        }
        return problems;
    }

    /** Integer arrays exactly, float32 bit for bit with any NaN matching any NaN. */
    static String diff(NpyArray want, NpyArray have) {
        if (!Arrays.equals(want.shape(), have.shape())) {
            return "shape " + Arrays.toString(have.shape()) + ", expected " + Arrays.toString(want.shape());
        }
        if (want.dtype() != have.dtype()) return "dtype " + have.dtype() + ", expected " + want.dtype();
        int n = (int) want.size();
        for (int i = 0; i < n; i++) {
            boolean same;
            String w, h;
            if (want.dtype() == NpyArray.Dtype.F4) {
                float a = want.floats()[i], b = have.floats()[i];
                same = (Float.isNaN(a) && Float.isNaN(b)) || Float.floatToRawIntBits(a) == Float.floatToRawIntBits(b);
                w = a + ""; h = b + "";
            } else {
                long a = element(want, i), b = element(have, i);
                same = a == b;
                w = a + ""; h = b + "";
            }
            if (!same) return "element " + i + " is " + h + ", expected " + w;
        }
        return null;
    }

    private static long element(NpyArray a, int i) {
        switch (a.dtype()) {
            case U1: return a.bytes()[i] & 0xFF;
            case I1: return a.bytes()[i];
            case U2: return a.shorts()[i] & 0xFFFF;
            case U4: case I4: return a.ints()[i];
            case I8: return a.longs()[i];
            default: throw new AssertionError(a.dtype());
        }
    }
}
