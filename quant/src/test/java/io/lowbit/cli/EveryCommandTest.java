package io.lowbit.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command has --help, is listed by `lowbit --help`, and a usage error is one line with status 2. */
class EveryCommandTest {

    private static String[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int status = Main.run(args);
            return new String[] {String.valueOf(status), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void everyCommandHasHelpAndRejectsAnUnknownOptionWithOneLine() {
        Set<String> names = new CommandLine(new Main()).getSubcommands().keySet();
        assertTrue(names.containsAll(Set.of("info", "demo", "validate", "quantize", "dequantize", "stats",
                "hadamard", "optim-bench", "gpu-bench")), names.toString());
        String top = run("--help")[1];
        for (String name : names) {
            assertTrue(top.contains(name), "lowbit --help does not list " + name);
            String[] help = run(name, "--help");
            assertEquals("0", help[0], name + " --help");
            assertTrue(help[1].contains("Usage: lowbit " + name), help[1]);
            String[] bad = run(name, "--no-such-option");
            assertEquals("2", bad[0], name + " with an unknown option");
            String line = bad[2].strip();
            assertEquals(1, line.lines().count(), name + ": " + line);
            assertTrue(line.startsWith("lowbit: "), line);
        }
    }
}
