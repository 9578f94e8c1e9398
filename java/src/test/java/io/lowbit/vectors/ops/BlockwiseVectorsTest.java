package io.lowbit.vectors.ops;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpHandler;
import io.lowbit.vectors.OpRegistry;
import io.lowbit.vectors.VectorCase;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** Runs test-vectors/blockwise and test-vectors/optim on every backend through the op registry. */
class BlockwiseVectorsTest {
    static Path root() {
        String p = System.getProperty("lowbit.testVectors");
        return p != null ? Path.of(p) : Path.of("../test-vectors");
    }

    static VectorCase read(Path json) throws Exception {
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        Map<String, String> in = new LinkedHashMap<>(), ex = new LinkedHashMap<>();
        if (o.has("inputs")) o.getAsJsonObject("inputs").entrySet().forEach(e -> in.put(e.getKey(), e.getValue().getAsString()));
        o.getAsJsonObject("expected").entrySet().forEach(e -> ex.put(e.getKey(), e.getValue().getAsString()));
        return new VectorCase(json, o.get("op").getAsString(), o.getAsJsonObject("params"), in, ex);
    }

    static void assertSame(String what, NpyArray want, NpyArray got) {
        assertEquals(want.dtype(), got.dtype(), what + " dtype");
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        if (want.dtype() == NpyArray.Dtype.F4) {
            float[] a = want.floats(), b = got.floats();
            for (int i = 0; i < a.length; i++) {
                if (Float.isNaN(a[i]) && Float.isNaN(b[i])) continue;
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), what + "[" + i + "]: " + a[i] + " vs " + b[i]);
            }
        } else {
            assertArrayEquals(Npy.toBytes(want), Npy.toBytes(got), what);
        }
    }

    @Test
    void everyCasePassesOnEveryBackend() throws Exception {
        int cases = 0;
        for (String family : new String[] {"blockwise", "optim"}) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(root().resolve(family))) {
                files = s.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            }
            for (Path f : files) {
                VectorCase c = read(f);
                OpHandler h = OpRegistry.get(c.op());
                assertNotNull(h, "handler for " + c.op());
                for (Backend be : Backends.available()) {
                    Map<String, NpyArray> out = h.run(c, be);
                    for (Map.Entry<String, String> e : c.expected().entrySet()) {
                        assertTrue(out.containsKey(e.getKey()), f + " output " + e.getKey());
                        assertSame(f.getFileName() + " " + be.name() + " " + e.getKey(), Npy.read(c.resolve(e.getValue())), out.get(e.getKey()));
                    }
                }
                cases++;
            }
        }
        assertTrue(cases >= 33, "found " + cases + " cases");
    }
}
