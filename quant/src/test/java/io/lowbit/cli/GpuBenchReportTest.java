package io.lowbit.cli;

import io.lowbit.cli.GpuBenchReport.Header;
import io.lowbit.cli.GpuBenchReport.Row;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Statistics and the Markdown table of gpu-bench, with made-up timings (no GPU). */
class GpuBenchReportTest {

    @Test
    void medianOfOddAndEvenCountsIgnoresOrderAndOutliers() {
        assertEquals(3.0, GpuBenchReport.median(new double[] {9, 1, 3}));
        assertEquals(2.5, GpuBenchReport.median(new double[] {4, 1, 1000, 2, 3, 0.5}));   // (2 + 3) / 2
        assertEquals(7.0, GpuBenchReport.median(new double[] {7}));
        double[] samples = {5, 1, 3};
        GpuBenchReport.median(samples);
        assertEquals(5, samples[0], "the caller's array is not sorted in place");
        assertThrows(IllegalArgumentException.class, () -> GpuBenchReport.median(new double[0]));
    }

    @Test
    void bandwidthIsBytesPerSecondInDecimalGigabytes() {
        assertEquals(1.0, GpuBenchReport.gbPerSecond(1_000_000, 1.0), 1e-12);          // 1e6 B in 1 ms
        assertEquals(2000.0, GpuBenchReport.gbPerSecond(1_000_000_000, 0.5), 1e-9);    // 1e9 B in 0.5 ms
        assertThrows(IllegalArgumentException.class, () -> GpuBenchReport.gbPerSecond(1, 0));
        assertThrows(IllegalArgumentException.class, () -> GpuBenchReport.gbPerSecond(1, Double.NaN));
    }

    @Test
    void tableShowsMedianMinBandwidthAndShareOfCopy() {
        // copy: 1e9 bytes moved in 1 ms = 1000 GB/s; kernel: 5e8 bytes, median 1 ms = 500 GB/s = 50%.
        Header h = new Header("Fake GPU (compute capability 9.0, 132 SMs, 79.1 GiB)", "driver 13.0, runtime 13.0",
                "2026-11-23T12:00:00Z", "lowbit gpu-bench --repeats 3", 256L << 20, 3, 3, 1.0, 1_000_000_000L, 0.004);
        List<Row> rows = List.of(
                Row.measured("encode E4M3 (RNE)", 500_000_000L, new double[] {1.5, 1.0, 0.75}),
                Row.measured("blockwise quantize", 250_000_000L, new double[] {10, 10}),
                Row.notMeasured("Hadamard n=128", "no CUDA kernel in this build (a|b)"));
        String md = GpuBenchReport.markdown(h, rows);
        assertTrue(md.contains("- device: Fake GPU (compute capability 9.0"), md);
        assertTrue(md.contains("- CUDA: driver 13.0, runtime 13.0"), md);
        assertTrue(md.contains("- command: `lowbit gpu-bench --repeats 3`"), md);
        assertTrue(md.contains("**1000.0 GB/s**"), md);
        assertTrue(md.contains("(67,108,864 elements)"), md);
        assertTrue(md.contains("| encode E4M3 (RNE) | 476.8 | 1000.0 | 750.0 | 500.0 | 50% |"), md);
        assertTrue(md.contains("| blockwise quantize | 238.4 | 10000.0 | 10000.0 | 25.0 | 3% |"), md);
        assertTrue(md.contains("| Hadamard n=128 | | | | | not measured: no CUDA kernel in this build (a\\|b) |"), md);
        long tableLines = md.lines().filter(l -> l.startsWith("|")).count();
        assertEquals(2 + rows.size(), tableLines, "header, rule and one line per row");
        for (String line : md.lines().filter(l -> l.startsWith("| ")).toList()) {
            assertEquals(7, line.replace("\\|", "").chars().filter(c -> c == '|').count(), "6 cells: " + line);
        }
    }

    @Test
    void aMeasuredRowNeedsTimings() {
        assertThrows(IllegalArgumentException.class, () -> Row.measured("x", 1, new double[0]));
    }
}
