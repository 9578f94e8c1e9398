package io.lowbit.cli;

import io.lowbit.backend.Backends;
import io.lowbit.cuda.CudaBackend;
import io.lowbit.cuda.CudaDevice;
import io.lowbit.cuda.CudaTimer;
import io.lowbit.cuda.DeviceBuffer;
import io.lowbit.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntConsumer;

/**
 * {@code lowbit gpu-bench}: the bandwidth every CUDA kernel reaches, against the device's own
 * device-to-device copy measured in the same run. Needs the CUDA backend (exit 1 with
 * "no CUDA device: reason" otherwise). Progress goes to standard error, the table to standard
 * output and, with {@code --out}, to a Markdown file.
 */
@Command(name = "gpu-bench", mixinStandardHelpOptions = true,
        description = "Measure every CUDA kernel's bandwidth (GB/s, bytes read + written) on device buffers with CUDA "
                + "events, as a share of the device-to-device copy bandwidth; write a Markdown table.")
final class GpuBenchCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "FILE.md", description = "Also write the table to this Markdown file.")
    Path out;

    @Option(names = "--size-mb", paramLabel = "N",
            description = "MiB of float32 input per call, 1..4096 (default: ${DEFAULT-VALUE}; keep it far above the L2 "
                    + "cache, 50 MB on an H100).")
    int sizeMb = 256;

    @Option(names = "--repeats", paramLabel = "N", description = "Timed calls per kernel, 1..1000 (default: ${DEFAULT-VALUE}).")
    int repeats = 20;

    static final int WARMUP = 3;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (sizeMb < 1 || sizeMb > 4096) throw new IllegalArgumentException("--size-mb must be in 1..4096, got " + sizeMb);
        if (repeats < 1 || repeats > 1000) throw new IllegalArgumentException("--repeats must be in 1..1000, got " + repeats);
        String reason = cudaUnavailableReason();
        if (reason != null) {
            System.err.println("lowbit gpu-bench: no CUDA device: " + reason);
            return 1;
        }
        CudaBackend cuda = (CudaBackend) Backends.byName("cuda");
        CudaDevice device = cuda.device();
        long n = (long) sizeMb << 18;   // float32 elements in sizeMb MiB
        progress("gpu-bench on " + device.describe() + ": " + n + " elements per call, " + repeats + " repeats");

        List<GpuBenchReport.Row> rows = new ArrayList<>();
        double copyMillis;
        double overheadMillis;
        try (GpuBenchCases.Buffers inputs = new GpuBenchCases.Buffers(); CudaTimer timer = CudaTimer.create()) {
            DeviceBuffer[] in = {inputs.floats(n), inputs.floats(n)};
            fill(in, n);
            DeviceBuffer copyTarget = inputs.floats(n);
            progress("device-to-device copy");
            copyMillis = GpuBenchReport.median(timeDevice(timer,
                    s -> CudaTimer.copyDeviceToDevice(in[s], copyTarget, 4 * n)));
            overheadMillis = GpuBenchReport.median(timeDevice(timer, s -> CudaTimer.synchronize(in[s])));
            for (GpuBenchCases.DeviceCase c : GpuBenchCases.deviceCases()) {
                progress(c.name());
                try (GpuBenchCases.Buffers mem = new GpuBenchCases.Buffers()) {
                    IntConsumer op = c.setup().prepare(mem, in, n);
                    rows.add(GpuBenchReport.Row.measured(c.name(), c.bytesPerCall().apply(n), timeDevice(timer, op)));
                } catch (RuntimeException e) {   // out of memory, a failed kernel: report it, go on
                    rows.add(GpuBenchReport.Row.notMeasured(c.name(), "failed: " + e.getMessage()));
                }
            }
        }
        for (GpuBenchCases.Missing m : GpuBenchCases.missing()) rows.add(GpuBenchReport.Row.notMeasured(m.name(), m.why()));

        GpuBenchReport.Header header = new GpuBenchReport.Header(
                device.name() + " (compute capability " + device.major() + "." + device.minor() + ", "
                        + device.multiprocessors() + " SMs, " + String.format("%.1f GiB", device.memoryBytes() / (double) (1L << 30)) + ")",
                "driver " + version(device.driverVersion()) + ", runtime " + version(device.runtimeVersion()),
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), commandLine(),
                4 * n, repeats, WARMUP, copyMillis, 8 * n, overheadMillis);
        String table = GpuBenchReport.markdown(header, rows) + GpuBenchCases.BYTES_LEGEND;
        System.out.print(table);
        if (out != null) {
            AtomicFiles.write(out, table.getBytes(StandardCharsets.UTF_8));
            progress("wrote " + out);
        }
        return 0;
    }

    /** Null if the CUDA backend is usable, else why not. */
    static String cudaUnavailableReason() {
        for (Backends.Status s : Backends.probeAll()) {
            if (s.name().equals("cuda")) return s.available() ? null : s.reason();
        }
        return "the CUDA backend (lowbit-native) is not on the class path";
    }

    /** Warm-up, then {@code repeats} event-timed calls alternating between buffer sets 0 and 1. */
    private double[] timeDevice(CudaTimer timer, IntConsumer op) {
        for (int i = 0; i < WARMUP; i++) op.accept(i % 2);
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            int set = (WARMUP + i) % 2;
            ms[i] = timer.time(() -> op.accept(set));
        }
        return ms;
    }

    /** Normally distributed inputs, copied in 16 MiB chunks (no host array of the whole size). */
    private static void fill(DeviceBuffer[] in, long n) {
        progress("filling 2 x " + (4 * n >> 20) + " MiB of inputs");
        float[] chunk = GpuBenchCases.gaussian(Math.min(n, 1 << 22));
        for (DeviceBuffer b : in) {
            for (long at = 0; at < n; at += chunk.length) {
                b.copyFrom(chunk, 0, at, (int) Math.min(chunk.length, n - at));
            }
        }
    }

    /** "lowbit gpu-bench" and the options as given, for the report. */
    String commandLine() {
        // originalArgs holds the whole command line, subcommand name included
        StringBuilder b = new StringBuilder("lowbit");
        if (spec == null) return b.append(" gpu-bench").toString();
        for (String a : spec.commandLine().getParseResult().originalArgs()) b.append(' ').append(a);
        return b.toString();
    }

    private static String version(int v) { return (v / 1000) + "." + (v % 1000) / 10; }

    private static void progress(String s) {
        System.err.println("gpu-bench: " + s);
    }
}
