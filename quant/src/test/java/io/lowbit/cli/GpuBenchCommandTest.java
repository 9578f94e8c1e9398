package io.lowbit.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without a usable GPU (CI), gpu-bench must say why and exit 1; bad options are usage errors. */
class GpuBenchCommandTest {

    private record Result(int rc, String out, String err) {}

    private static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.run(args);
            return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void withoutACudaDeviceExitsOneWithTheReason() {
        String reason = GpuBenchCommand.cudaUnavailableReason();
        if (reason == null) return;   // a GPU machine: the real run is the bundle's job (benchmarks/gpu/run.sh)
        Result r = run("gpu-bench", "--size-mb", "1", "--repeats", "1");
        assertEquals(1, r.rc(), r.err());
        assertTrue(r.err().contains("no CUDA device: " + reason), r.err());
        assertEquals("", r.out(), "no table without a device");
    }

    @Test
    void badOptionsAreUsageErrors() {
        Result size = run("gpu-bench", "--size-mb", "0");
        assertEquals(2, size.rc());
        assertTrue(size.err().contains("--size-mb must be in 1..4096, got 0"), size.err());
        Result repeats = run("gpu-bench", "--repeats", "0");
        assertEquals(2, repeats.rc());
        assertTrue(repeats.err().contains("--repeats must be in 1..1000, got 0"), repeats.err());
    }

    @Test
    void theReportShowsTheCommandAsGiven() {
        picocli.CommandLine cl = new picocli.CommandLine(new Main());
        picocli.CommandLine.ParseResult parsed = cl.parseArgs("gpu-bench", "--repeats", "3", "--size-mb", "512");
        GpuBenchCommand cmd = parsed.subcommand().commandSpec().commandLine().getCommand();
        assertEquals("lowbit gpu-bench --repeats 3 --size-mb 512", cmd.commandLine());
    }
}
