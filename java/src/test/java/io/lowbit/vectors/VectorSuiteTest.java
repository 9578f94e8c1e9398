package io.lowbit.vectors;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class VectorSuiteTest {
    private static Path testVectors() {
        String dir = System.getProperty("lowbit.testVectors");
        assertTrue(dir != null, "surefire sets lowbit.testVectors");
        return Path.of(dir);
    }

    @Test
    void everyVectorPassesOnEveryAvailableBackend() throws IOException {
        Path root = testVectors();
        List<Path> cases = VectorSuite.discover(List.of(root));
        // not vacuous: the foundation's families and the anchors are there
        for (String family : new String[] {"cast/decode", "cast/rne", "cast/stochastic", "random/words", "random/philox",
                "mx", "scaled", "hadamard", "blockwise", "optim", "qat",
                "anchors/cast", "anchors/random", "anchors/mx", "anchors/hadamard"}) {
            Path dir = root.resolve(family);
            assertTrue(cases.stream().anyMatch(p -> p.startsWith(dir)), "no cases under " + dir);
        }
        List<Backend> backends = Backends.available();
        List<String> failures = new ArrayList<>();
        for (VectorSuite.Result r : VectorSuite.runAll(cases, backends, null)) {
            if (r.passed()) continue;
            failures.add("FAIL [" + r.backend() + "] " + root.relativize(r.manifest()) + ": " + r.failure());
        }
        System.out.println(cases.size() + " cases x " + backends.size() + " backends");
        failures.forEach(System.out::println);
        assertEquals(List.of(), failures);
    }

    // ---- malformed cases fail with a clear reason, never throw ----

    @TempDir
    Path tmp;

    private Path manifest(String name, String json) throws IOException {
        Path p = tmp.resolve(name + ".json");
        Files.writeString(p, json, StandardCharsets.UTF_8);
        return p;
    }

    private void array(String file, NpyArray a) throws IOException { Npy.write(tmp.resolve(file), a); }

    /** A cast of {448, 1} to E4M3 with its expected codes {0x7e, 0x38}. */
    private Path goodCast(String name) throws IOException {
        array(name + ".x.npy", NpyArray.of(new float[] {448f, 1f}));
        array(name + ".codes.npy", NpyArray.ofU1(new byte[] {0x7E, 0x38}));
        return manifest(name, "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\"}, \"inputs\": {\"x\": \"" + name
                + ".x.npy\"}, \"expected\": {\"codes\": \"" + name + ".codes.npy\"}}");
    }

    private static String failure(Path manifest) {
        String f = VectorSuite.run(manifest, Backends.scalar()).failure();
        assertTrue(f != null, manifest + " should fail");
        assertTrue(!f.contains("\n") && !f.contains("\r"), "one line: " + f);
        return f;
    }

    private static void assertFailure(Path manifest, String... parts) {
        String f = failure(manifest);
        for (String part : parts) assertTrue(f.contains(part), "'" + f + "' should contain '" + part + "'");
    }

    @Test
    void goodCaseOnEveryBackend() throws IOException {
        Path m = goodCast("good");
        for (Backend b : Backends.available()) assertNull(VectorSuite.run(m, b).failure(), b.name());
    }

    @Test
    void mismatchNamesArrayIndexBitsAndValues() throws IOException {
        array("m.x.npy", NpyArray.of(new float[] {1f, 448f, 2f, 3f}));
        array("m.codes.npy", NpyArray.ofU1(new byte[] {0x38, 0x7F, 0x40, 0x45}));
        Path m = manifest("m", "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\", \"rounding\": \"rne\"},"
                + " \"inputs\": {\"x\": \"m.x.npy\"}, \"expected\": {\"codes\": \"m.codes.npy\"}}");
        assertEquals("array 'codes' index 1: expected 0x7f (NaN) got 0x7e (448.0) (2 of 4 elements differ)", failure(m));
    }

    @Test
    void floatMismatchShowsBitsAndValue() throws IOException {
        array("f.x.npy", NpyArray.of(new float[] {1f}));
        array("f.values.npy", NpyArray.of(new float[] {-0f}));
        Path m = manifest("f", "{\"op\": \"cast\", \"params\": {\"format\": \"E2M1\"}, \"inputs\": {\"x\": \"f.x.npy\"},"
                + " \"expected\": {\"values\": \"f.values.npy\"}}");
        assertEquals("array 'values' index 0: expected 0x80000000 (-0.0) got 0x3f800000 (1.0)", failure(m));
    }

    @Test
    void anyNanMatchesAnyNan() throws IOException {
        array("n.x.npy", NpyArray.of(new float[] {Float.NaN, 500f}));
        array("n.values.npy", NpyArray.of(new float[] {Float.intBitsToFloat(0xFFC12345), Float.intBitsToFloat(0x7F800001)}));
        Path m = manifest("n", "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\"}, \"inputs\": {\"x\": \"n.x.npy\"},"
                + " \"expected\": {\"values\": \"n.values.npy\"}}");
        assertNull(VectorSuite.run(m, Backends.scalar()).failure());
    }

    @Test
    void badJson() throws IOException {
        assertFailure(manifest("a", "{\"op\": \"cast\", "), "malformed JSON");
        assertFailure(manifest("b", "{op: cast}"), "malformed JSON");
        assertFailure(manifest("c", "{\"op\": \"cast\", \"expected\": {\"codes\": \"c.npy\"}} trailing"), "malformed JSON");
        assertFailure(manifest("d", "[1, 2]"), "must be a JSON object");
        assertFailure(manifest("e", "{\"op\": 3, \"expected\": {\"codes\": \"x.npy\"}}"), "\"op\"");
        assertFailure(manifest("f", "{\"op\": \"cast\"}"), "\"expected\" names no array");
        assertFailure(manifest("g", "{\"op\": \"cast\", \"expected\": {\"codes\": 5}}"), "must be a file name");
        assertFailure(manifest("h", ""), "malformed JSON");
        Path binary = tmp.resolve("i.json");
        Files.write(binary, new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 1});
        assertFailure(binary, "not UTF-8");
    }

    @Test
    void missingFiles() throws IOException {
        Path m = goodCast("mf");
        Files.delete(tmp.resolve("mf.codes.npy"));
        assertFailure(m, "expected array 'codes': file not found", "mf.codes.npy");
        Path n = goodCast("mi");
        Files.delete(tmp.resolve("mi.x.npy"));
        assertFailure(n, "input array 'x': file not found", "mi.x.npy");
        assertFailure(tmp.resolve("absent.json"), "absent.json");
    }

    @Test
    void truncatedNpy() throws IOException {
        Path m = goodCast("t");
        byte[] full = Files.readAllBytes(tmp.resolve("t.x.npy"));
        Files.write(tmp.resolve("t.x.npy"), Arrays.copyOf(full, full.length - 3));
        assertFailure(m, "input array 'x'", "truncated");
        Files.write(tmp.resolve("t.x.npy"), Arrays.copyOf(full, 9));
        assertFailure(m, "input array 'x'", "not an .npy file");
    }

    @Test
    void wrongDtypes() throws IOException {
        Path m = goodCast("wd");
        array("wd.x.npy", NpyArray.ofU1(new byte[] {1, 2}));
        assertFailure(m, "input 'x' must have dtype <f4, got |u1");
        Path e = goodCast("we");
        array("we.codes.npy", NpyArray.ofU2(new short[] {0x7E, 0x38}));
        assertFailure(e, "array 'codes': dtype: expected <u2, got |u1");
        // a dtype .npy can hold but lowbit does not read
        Path u = goodCast("wu");
        byte[] b = Files.readAllBytes(tmp.resolve("wu.x.npy"));
        String s = new String(b, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<f8'");
        Files.write(tmp.resolve("wu.x.npy"), s.getBytes(StandardCharsets.ISO_8859_1));
        assertFailure(u, "unsupported dtype '<f8'");
    }

    @Test
    void shapeMismatch() throws IOException {
        Path m = goodCast("s");
        array("s.codes.npy", NpyArray.ofU1(new byte[] {0x7E, 0x38}, 1, 2));
        assertFailure(m, "array 'codes': shape: expected [1, 2], got [2]");
        array("s.codes.npy", NpyArray.ofU1(new byte[] {0x7E}));
        assertFailure(m, "shape: expected [1], got [2]");
    }

    @Test
    void unsupportedOpsAndParameters() throws IOException {
        goodCast("u");
        assertFailure(manifest("u1", "{\"op\": \"nope\", \"inputs\": {\"x\": \"u.x.npy\"}, \"expected\": {\"codes\": \"u.codes.npy\"}}"),
                "unsupported op 'nope'", "cast");
        assertFailure(manifest("u2", "{\"op\": \"cast\", \"params\": {\"format\": \"E9M9\"}, \"inputs\": {\"x\": \"u.x.npy\"},"
                + " \"expected\": {\"codes\": \"u.codes.npy\"}}"), "format must be one of", "E9M9");
        assertFailure(manifest("u3", "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\", \"rounding\": \"down\"},"
                + " \"inputs\": {\"x\": \"u.x.npy\"}, \"expected\": {\"codes\": \"u.codes.npy\"}}"), "rounding must be");
        assertFailure(manifest("u4", "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\", \"saturat\": true},"
                + " \"inputs\": {\"x\": \"u.x.npy\"}, \"expected\": {\"codes\": \"u.codes.npy\"}}"), "unknown parameter 'saturat'");
        assertFailure(manifest("u5", "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\", \"rounding\": \"stochastic\"},"
                + " \"inputs\": {\"x\": \"u.x.npy\"}, \"expected\": {\"codes\": \"u.codes.npy\"}}"), "parameter 'seed' missing");
        assertFailure(manifest("u6", "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\", \"rounding\": \"stochastic\", "
                + "\"seed\": -1}, \"inputs\": {\"x\": \"u.x.npy\"}, \"expected\": {\"codes\": \"u.codes.npy\"}}"), "'seed' must be an integer in 0..18446744073709551615");
        assertFailure(manifest("u7", "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\"}, \"expected\": {\"codes\": \"u.codes.npy\"}}"),
                "input 'x' missing");
        assertFailure(manifest("u8", "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\"}, \"inputs\": {\"x\": \"u.x.npy\"},"
                + " \"expected\": {\"scales\": \"u.codes.npy\"}}"), "op 'cast' has no output 'scales'");
        assertFailure(manifest("u9", "{\"op\": \"random.words\", \"params\": {\"seed\": 1, \"count\": 100000000},"
                + " \"expected\": {\"words\": \"u.codes.npy\"}}"), "'count' must be in 0..");
    }

    @Test
    void philoxRoundsOtherThanTenAreUnsupported() throws IOException {
        array("p.key.npy", NpyArray.ofU4(new int[] {0, 0}, 1, 2));
        array("p.counter.npy", NpyArray.ofU4(new int[] {0, 0, 0, 0}, 1, 4));
        array("p.out.npy", NpyArray.ofU4(new int[] {0, 0, 0, 0}, 1, 4));
        Path m = manifest("p", "{\"op\": \"philox\", \"params\": {\"rounds\": 7}, \"inputs\": {\"key\": \"p.key.npy\","
                + " \"counter\": \"p.counter.npy\"}, \"expected\": {\"out\": \"p.out.npy\"}}");
        assertFailure(m, "unsupported: philox rounds=7");
        array("p.key.npy", NpyArray.ofU4(new int[] {0, 0, 0}, 1, 3));
        Path k = manifest("k", "{\"op\": \"philox\", \"inputs\": {\"key\": \"p.key.npy\","
                + " \"counter\": \"p.counter.npy\"}, \"expected\": {\"out\": \"p.out.npy\"}}");
        assertFailure(k, "input 'key' must have shape [m, 2], got [1, 3]");
    }

    @Test
    void decodeRejectsCodesWiderThanTheFormat() throws IOException {
        array("d.codes.npy", NpyArray.ofU1(new byte[] {0x07, 0x10}));
        array("d.values.npy", NpyArray.of(new float[] {6f, 0f}));
        Path m = manifest("d", "{\"op\": \"decode\", \"params\": {\"format\": \"E2M1\"}, \"inputs\": {\"codes\": \"d.codes.npy\"},"
                + " \"expected\": {\"values\": \"d.values.npy\"}}");
        assertFailure(m, "index 1: 0x10 is not a E2M1 code");
    }

    @Test
    void largeIntegersAsDecimalStrings() throws IOException {
        // offset 2^64-1: the words of counters 2^64-1 and 0 (wrapped)
        long seed = Long.parseUnsignedLong("18446744073709551615");
        int[] w = new int[8];
        io.lowbit.backend.scalar.Philox.block(-1, -1, 0, 0, (int) seed, (int) (seed >>> 32), w, 0);
        io.lowbit.backend.scalar.Philox.block(0, 0, 0, 0, (int) seed, (int) (seed >>> 32), w, 4);
        array("r.words.npy", NpyArray.ofU4(Arrays.copyOf(w, 6)));
        Path m = manifest("r", "{\"op\": \"random.words\", \"params\": {\"seed\": \"18446744073709551615\", "
                + "\"offset\": \"18446744073709551615\", \"count\": 6}, \"expected\": {\"words\": \"r.words.npy\"}}");
        for (Backend b : Backends.available()) assertNull(VectorSuite.run(m, b).failure(), b.name());
    }

    @Test
    void oneBadCaseDoesNotStopTheRun() throws IOException {
        Path bad = manifest("a_bad", "not json");
        Path good = goodCast("b_good");
        List<VectorSuite.Result> r = VectorSuite.runAll(List.of(bad, good), List.of(Backends.scalar()), null);
        assertEquals(2, r.size());
        assertTrue(!r.get(0).passed());
        assertTrue(r.get(1).passed(), r.get(1).failure());
    }

    @Test
    void discoverFindsNestedJsonSorted() throws IOException {
        Files.createDirectories(tmp.resolve("b/c"));
        Files.createDirectories(tmp.resolve("a"));
        for (String f : new String[] {"b/c/z.json", "b/a.json", "a/y.json", "top.json", "b/c/notes.txt", "a-b.json"}) {
            Files.writeString(tmp.resolve(f), "{}");
        }
        List<Path> found = VectorSuite.discover(List.of(tmp));
        List<String> rel = new ArrayList<>();
        for (Path p : found) rel.add(tmp.relativize(p).toString().replace('\\', '/'));
        assertEquals(List.of("a/y.json", "a-b.json", "b/a.json", "b/c/z.json", "top.json"), rel);
        // a file root and a repeated root are listed once
        assertEquals(1, VectorSuite.discover(List.of(tmp.resolve("top.json"), tmp.resolve("top.json"))).size());
        assertThrows(NoSuchFileException.class, () -> VectorSuite.discover(List.of(tmp.resolve("nowhere"))));
    }
}
