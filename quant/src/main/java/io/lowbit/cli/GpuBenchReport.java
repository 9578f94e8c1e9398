package io.lowbit.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The statistics and the Markdown table of {@code lowbit gpu-bench}, kept apart from the GPU
 * code so they can be tested with made-up timings.
 *
 * <p>Bandwidth counts the bytes a call must move at its interface: every input read once and
 * every output written once (a lower bound: a kernel making two passes over its input moves
 * more). The device-to-device copy is counted the same way (read + written), so "% of copy"
 * compares like with like.
 */
final class GpuBenchReport {
    /** The run's facts, shown above the table. */
    record Header(String device, String versions, String date, String command, long inputBytes, int repeats,
                  int warmup, double copyMillis, long copyBytesMoved, double windowOverheadMillis) {
        double copyGBs() { return gbPerSecond(copyBytesMoved, copyMillis); }
    }

    /**
     * One kernel: measured (millis non-empty: CUDA events around each call on device buffers,
     * no host copies in the window) or not (note says why).
     */
    record Row(String kernel, long bytesPerCall, double[] millis, String note) {
        static Row measured(String kernel, long bytesPerCall, double[] millis) {
            if (millis.length == 0) throw new IllegalArgumentException("millis must hold at least one timing");
            return new Row(kernel, bytesPerCall, millis.clone(), "");
        }

        static Row notMeasured(String kernel, String why) { return new Row(kernel, 0, new double[0], why); }

        boolean isMeasured() { return millis.length > 0; }

        double medianMillis() { return median(millis); }

        double minMillis() { return Arrays.stream(millis).min().orElseThrow(); }
    }

    private GpuBenchReport() {}

    /** The median (mean of the two middle values for an even count). */
    static double median(double[] xs) {
        if (xs.length == 0) throw new IllegalArgumentException("xs must not be empty");
        double[] s = xs.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /** Decimal gigabytes per second (10^9 bytes) for {@code bytes} moved in {@code millis} ms. */
    static double gbPerSecond(long bytes, double millis) {
        if (!(millis > 0)) throw new IllegalArgumentException("millis must be > 0, got " + millis);
        return bytes / (millis * 1e-3) / 1e9;
    }

    static String markdown(Header h, List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("# lowbit gpu-bench\n\n");
        b.append("- device: ").append(h.device()).append('\n');
        b.append("- CUDA: ").append(h.versions()).append('\n');
        b.append("- date: ").append(h.date()).append('\n');
        b.append("- command: `").append(h.command()).append("`\n");
        b.append(String.format(Locale.ROOT, "- float32 input per call: %s (%,d elements), two buffer sets used in turn;"
                        + " %d warm-up calls, then the median (and min) of %d timed calls%n",
                mib(h.inputBytes()), h.inputBytes() / 4, h.warmup(), h.repeats()));
        b.append(String.format(Locale.ROOT, "- device-to-device copy (cudaMemcpyAsync, %s read + written): %.3f ms, "
                        + "**%.1f GB/s** (the 100%% of the last column)%n",
                mib(h.copyBytesMoved()), h.copyMillis(), h.copyGBs()));
        b.append(String.format(Locale.ROOT, "- an empty event window around one stream synchronize takes %.1f us: each "
                        + "kernel launcher waits for its stream, so a timed call includes about that much idle time%n",
                h.windowOverheadMillis() * 1e3));
        b.append("- bytes/call: each input read once and each output written once (a lower bound for kernels that "
                + "make several passes); GB/s = 10^9 bytes per second\n");
        b.append("- timing: CUDA events around each call, device buffers, no host copies in the window\n\n");
        b.append("| kernel | MiB moved / call | median us | min us | GB/s | % of copy |\n");
        b.append("|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            if (!r.isMeasured()) {
                b.append("| ").append(r.kernel()).append(" | | | | | not measured: ").append(escape(r.note())).append(" |\n");
                continue;
            }
            double med = r.medianMillis();
            double gbs = gbPerSecond(r.bytesPerCall(), med);
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.0f%% |%n", r.kernel(),
                    r.bytesPerCall() / (double) (1 << 20), med * 1e3, r.minMillis() * 1e3, gbs, 100 * gbs / h.copyGBs()));
        }
        return b.toString();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1 << 20));
    }

    /** A cell must not break the table. */
    private static String escape(String s) { return s.replace("|", "\\|").replace('\n', ' '); }
}
