package io.lowbit.hadamard;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lowbit.backend.Backend;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpRegistry;
import io.lowbit.vectors.VectorCase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/** Loads vector-format cases and checks a backend's outputs against them, bit for bit. */
final class HadamardCases {
    private HadamardCases() {}

    /** Every *.json below dir (none if dir does not exist). */
    static List<Path> manifests(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
    }

    static VectorCase load(Path manifest) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
        return new VectorCase(manifest, o.get("op").getAsString(), o.getAsJsonObject("params"),
                names(o.getAsJsonObject("inputs")), names(o.getAsJsonObject("expected")));
    }

    private static Map<String, String> names(JsonObject o) {
        Map<String, String> m = new LinkedHashMap<>();
        if (o != null) o.entrySet().forEach(e -> m.put(e.getKey(), e.getValue().getAsString()));
        return m;
    }

    /** Runs the case on the backend and asserts every expected array matches (any NaN matches any NaN). */
    static void check(Path manifest, Backend backend) throws Exception {
        VectorCase c = load(manifest);
        assertNotNull(OpRegistry.get(c.op()), "no handler for op " + c.op());
        Map<String, NpyArray> out = OpRegistry.get(c.op()).run(c, backend);
        for (Map.Entry<String, String> e : c.expected().entrySet()) {
            NpyArray want = Npy.read(c.resolve(e.getValue()));
            NpyArray got = out.get(e.getKey());
            String what = manifest.getFileName() + " " + e.getKey() + " on " + backend.name();
            assertNotNull(got, what + ": not produced");
            assertArrayEquals(want.shape(), got.shape(), what + ": shape");
            assertSameBits(want.floats(), got.floats(), what);
        }
    }

    static void assertSameBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i]) && Float.isNaN(got[i])) continue;
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + ": element " + i + " expected " + want[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(want[i])) + ") got " + got[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(got[i])) + ")"
                        + (want.length <= 16 ? " " + Arrays.toString(got) : ""));
            }
        }
    }
}
