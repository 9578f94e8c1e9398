package io.lowbit.cli;

import io.lowbit.io.Safetensors;
import io.lowbit.mx.MxFormat;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.Quantizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code lowbit stats}: quantization error of a format on each float tensor of a file: RMSE,
 * max abs error, SQNR (dB), the fraction of saturated elements, and a histogram of the scale
 * codes. Errors are over finite inputs whose dequantized value is finite.
 */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Report quantization error (RMSE, max abs error, SQNR, saturation, scales) per tensor.")
final class StatsCommand implements Callable<Integer> {
    @Mixin QuantOptions options = new QuantOptions();

    @Option(names = "--in", required = true, description = "input .npy or .safetensors")
    Path in;

    @Override
    public Integer call() throws Exception {
        Quantizer q = options.quantizer();
        TensorFiles.requireKnown("--in", in, false);
        options.stochastic();
        Map<String, TensorFiles.FloatTensor> tensors = new LinkedHashMap<>();
        if (TensorFiles.isNpy(in)) tensors.put(TensorFiles.stem(in), TensorFiles.readNpy(in));
        else tensors.putAll(TensorFiles.quantizable(Safetensors.read(in)));
        Progress progress = new Progress(tensors.size());
        StringBuilder report = new StringBuilder();
        report.append(String.format("%-40s %12s %12s %9s %10s  %s%n", "tensor", "rmse", "max_abs_err", "sqnr_dB",
                "saturated", "scales (code:count)"));
        int done = 0;
        long offset = 0;
        for (Map.Entry<String, TensorFiles.FloatTensor> e : tensors.entrySet()) {
            progress.step(done, e.getKey());
            TensorFiles.FloatTensor t = e.getValue();
            Quantizer qt = options.forTensor(q, offset);
            offset += (t.data().length + 3L) / 4;
            QuantizedTensor quantized = qt.quantize(t.data(), t.rows(), t.cols());
            float[] y = quantized.dequantize();
            long saturated = qt.fakeQuantize(t.data(), t.rows(), t.cols()).saturated();
            report.append(line(e.getKey(), t.data(), y, saturated, quantized));
            progress.step(++done, e.getKey());
        }
        System.out.print(report);
        return 0;
    }

    static String line(String name, float[] x, float[] y, long saturated, QuantizedTensor q) {
        double errSq = 0, sigSq = 0, maxAbs = 0;
        long n = 0;
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i]) || !Float.isFinite(y[i])) continue;
            double err = (double) y[i] - x[i];
            errSq += err * err;
            sigSq += (double) x[i] * x[i];
            maxAbs = Math.max(maxAbs, Math.abs(err));
            n++;
        }
        double rmse = n == 0 ? 0 : Math.sqrt(errSq / n);
        double sqnr = errSq == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(sigSq / errSq);
        TreeMap<Integer, Integer> histogram = new TreeMap<>();
        for (byte s : q.scales()) histogram.merge(s & 0xFF, 1, Integer::sum);
        StringBuilder h = new StringBuilder();
        histogram.forEach((code, count) -> h.append(h.length() == 0 ? "" : " ").append(scaleLabel(q.format(), code)).append(':').append(count));
        return String.format("%-40s %12.6g %12.6g %9.2f %10.6f  %s%n", name, rmse, maxAbs, sqnr,
                x.length == 0 ? 0.0 : (double) saturated / x.length, h);
    }

    /** E8M0 scales as their exponent (e.g. "2^-3"), other scale formats as the code. */
    private static String scaleLabel(MxFormat f, int code) {
        if (f.isScaled()) return "0x" + Integer.toHexString(code);
        return code == 0xFF ? "NaN" : "2^" + (code - 127);
    }
}
