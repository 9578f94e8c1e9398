package io.lowbit.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.*;

class OptimBenchCommandTest {
    @Test
    void reportsEveryOptimizerAndRejectsBadSizes() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf));
        int rc;
        try {
            rc = Main.run("optim-bench", "--params", "5120", "--steps", "1", "--threads", "1");
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        String out = buf.toString();
        for (String s : new String[] {"AdamW 32-bit", "AdamW 8-bit", "AdamW 4-bit", "SGD momentum 8-bit", "Lion 8-bit", "blockwise quantize"}) {
            assertTrue(out.contains(s), out);
        }
        assertTrue(out.contains("2.0313"), "8-bit AdamW: 2 code bytes + 2 x 4 bytes per 256 = 2.03125 B/param\n" + out);
        assertEquals(2, Main.run("optim-bench", "--params", "0"));
    }
}
