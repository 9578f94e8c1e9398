package io.lowbit.cli;

import io.lowbit.backend.Backends;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidateCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** A cast case: x = {448, 1} to E4M3, expected codes as given (correct: 0x7e, 0x38). */
    private Path castCase(Path dir, String name, byte... codes) throws IOException {
        Files.createDirectories(dir);
        Npy.write(dir.resolve(name + ".x.npy"), NpyArray.of(new float[] {448f, 1f}));
        Npy.write(dir.resolve(name + ".codes.npy"), NpyArray.ofU1(codes));
        Path m = dir.resolve(name + ".json");
        Files.writeString(m, "{\"op\": \"cast\", \"params\": {\"format\": \"E4M3\", \"rounding\": \"rne\", \"saturate\": false},"
                + " \"inputs\": {\"x\": \"" + name + ".x.npy\"}, \"expected\": {\"codes\": \"" + name + ".codes.npy\"},"
                + " \"note\": \"test\"}");
        return m;
    }

    @Test
    void allPassExitsZero() throws IOException {
        castCase(tmp.resolve("a"), "good", (byte) 0x7E, (byte) 0x38);
        castCase(tmp.resolve("b/c"), "good2", (byte) 0x7E, (byte) 0x38);
        Run r = run("validate", tmp.toString(), "--backend", "scalar");
        assertEquals(0, r.exit, r.out + r.err);
        assertEquals("2 passed, 0 failed", r.lastLine());
        assertEquals(1, r.out.strip().split("\n").length, "only the summary when all pass: " + r.out);
        // default: every available backend
        Run all = run("validate", tmp.toString());
        assertEquals(0, all.exit, all.out + all.err);
        assertEquals((2 * Backends.available().size()) + " passed, 0 failed", all.lastLine());
        assertEquals("2 passed, 0 failed", run("validate", tmp.toString(), "--backend", "cpu").lastLine());
    }

    @Test
    void aFailureExitsOneAndIsReported() throws IOException {
        castCase(tmp, "a_good", (byte) 0x7E, (byte) 0x38);
        Path bad = castCase(tmp, "b_bad", (byte) 0x7F, (byte) 0x38);
        Files.writeString(tmp.resolve("c_broken.json"), "{not json");
        Run r = run("validate", tmp.toString(), "--backend", "scalar");
        assertEquals(1, r.exit, r.out + r.err);
        assertEquals("1 passed, 2 failed", r.lastLine());
        String[] lines = r.out.strip().split("\n");
        assertEquals(3, lines.length, r.out);
        assertEquals("FAIL [scalar] " + bad + ": array 'codes' index 0: expected 0x7f (NaN) got 0x7e (448.0)", lines[0]);
        assertTrue(lines[1].startsWith("FAIL [scalar] " + tmp.resolve("c_broken.json") + ": malformed JSON"), lines[1]);
        assertEquals("", r.err.replaceAll("WARNING: Using incubator modules.*\\R?", ""), "no progress output when stderr is not a terminal");
    }

    @Test
    void usageErrorsExitTwo() throws IOException {
        castCase(tmp, "good", (byte) 0x7E, (byte) 0x38);
        Run missing = run("validate", tmp.resolve("nowhere").toString());
        assertEquals(2, missing.exit);
        assertTrue(missing.err.contains("does not exist"), missing.err);
        Run badBackend = run("validate", tmp.toString(), "--backend", "gpu");
        assertEquals(2, badBackend.exit);
        assertTrue(badBackend.err.contains("--backend must be one of"), badBackend.err);
        assertEquals(2, run("validate").exit);
        assertEquals(2, run("validate", tmp.toString(), "--frobnicate").exit);
    }

    @Test
    void emptyDirectoryPassesWithAWarning() {
        Run r = run("validate", tmp.toString());
        assertEquals(0, r.exit);
        assertEquals("0 passed, 0 failed", r.lastLine());
        assertTrue(r.err.contains("no *.json cases"), r.err);
    }
}
