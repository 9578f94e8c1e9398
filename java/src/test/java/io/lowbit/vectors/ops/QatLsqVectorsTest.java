package io.lowbit.vectors.ops;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.OpRegistry;
import io.lowbit.vectors.VectorCase;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every case of test-vectors/qat on every available backend, bit for bit (any NaN matches any NaN). */
class QatLsqVectorsTest {
    private static Path dir() {
        return Path.of(System.getProperty("lowbit.testVectors", "../test-vectors")).resolve("qat");
    }

    static VectorCase load(Path manifest) throws Exception {
        JsonObject o = JsonParser.parseString(Files.readString(manifest)).getAsJsonObject();
        return new VectorCase(manifest, o.get("op").getAsString(), o.getAsJsonObject("params"),
                strings(o.getAsJsonObject("inputs")), strings(o.getAsJsonObject("expected")));
    }

    private static Map<String, String> strings(JsonObject o) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : o.keySet()) m.put(k, o.get(k).getAsString());
        return m;
    }

    @Test
    void allCasesOnAllBackends() throws Exception {
        List<Path> cases;
        try (Stream<Path> s = Files.list(dir())) {
            cases = s.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        }
        assertTrue(cases.size() >= 28, "qat vectors present: " + cases.size());
        assertEquals(QatLsqHandler.class, OpRegistry.get("qat.lsq").getClass());
        for (Path manifest : cases) {
            VectorCase c = load(manifest);
            assertFalse(c.expected().isEmpty(), manifest + " names expected outputs");
            for (Backend b : Backends.available()) {
                Map<String, NpyArray> got = OpRegistry.get(c.op()).run(c, b);
                for (Map.Entry<String, String> e : c.expected().entrySet()) {
                    NpyArray want = Npy.read(c.resolve(e.getValue())), have = got.get(e.getKey());
                    String what = manifest.getFileName() + " " + e.getKey() + " on " + b.name();
                    assertArrayEquals(want.shape(), have.shape(), what + " shape");
                    assertArrayEquals(bits(want.floats()), bits(have.floats()), what);
                }
            }
        }
    }

    @Test
    void badParametersFailClearly() throws Exception {
        Path manifest = dir().resolve("lsq_b4s_edges.json");
        VectorCase good = load(manifest);
        for (String[] bad : new String[][] {{"bits", "9"}, {"bits", "1"}}) {
            JsonObject p = good.params().deepCopy();
            p.addProperty(bad[0], Integer.parseInt(bad[1]));
            VectorCase c = new VectorCase(manifest, good.op(), p, good.inputs(), good.expected());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new QatLsqHandler().run(c, Backends.scalar()));
            assertTrue(e.getMessage().startsWith("bits"), e.getMessage());
        }
        JsonObject p = good.params().deepCopy();
        p.addProperty("groupSize", 4);
        VectorCase rank1 = new VectorCase(manifest, good.op(), p, good.inputs(), good.expected());
        assertThrows(IllegalArgumentException.class, () -> new QatLsqHandler().run(rank1, Backends.scalar()));
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToIntBits(v[i]);
        return b;
    }
}
