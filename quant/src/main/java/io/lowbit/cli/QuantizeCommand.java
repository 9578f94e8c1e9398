package io.lowbit.cli;

import io.lowbit.io.Safetensors;
import io.lowbit.mx.MxSafetensors;
import io.lowbit.mx.QuantizedTensor;
import io.lowbit.mx.Quantizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lowbit quantize}: block-quantizes a .npy array or every float tensor of rank 2+ in a
 * .safetensors file (other tensors are copied). Output: .safetensors (MXFP4 with block 32
 * along rows in the gpt-oss layout, everything else in lowbit's layout) or, for one .npy
 * input, a .lbq file. The output is written whole at the end, or not at all.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantize a .npy or .safetensors file to an MX or NVFP4 format.")
final class QuantizeCommand implements Callable<Integer> {
    @Mixin QuantOptions options = new QuantOptions();

    @Option(names = "--in", required = true, description = "input .npy or .safetensors")
    Path in;

    @Option(names = "--out", required = true, description = "output .safetensors (or .lbq for a .npy input)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Quantizer q = options.quantizer();
        TensorFiles.requireKnown("--in", in, false);
        TensorFiles.requireKnown("--out", out, true);
        options.stochastic();   // checks --rounding before any work
        if (TensorFiles.isNpy(in)) {
            TensorFiles.FloatTensor t = TensorFiles.readNpy(in);
            QuantizedTensor qt = options.forTensor(q, 0).quantize(t.data(), t.rows(), t.cols());
            if (TensorFiles.isLbq(out)) {
                qt.save(out);
            } else if (TensorFiles.isSafetensors(out)) {
                Safetensors.Contents c = new Safetensors.Contents();
                MxSafetensors.put(c, TensorFiles.stem(in), qt, t.shape());
                Safetensors.write(out, c);
            } else {
                throw new IllegalArgumentException("--out must be .safetensors or .lbq for quantize, got " + out);
            }
            return 0;
        }
        if (!TensorFiles.isSafetensors(out)) {
            throw new IllegalArgumentException("--out must be .safetensors for a .safetensors input, got " + out);
        }
        Safetensors.Contents src = Safetensors.read(in);
        Map<String, TensorFiles.FloatTensor> todo = TensorFiles.quantizable(src);
        Safetensors.Contents dst = new Safetensors.Contents();
        dst.metadata().putAll(src.metadata());
        Progress progress = new Progress(todo.size());
        int done = 0;
        long offset = 0;
        for (Map.Entry<String, Safetensors.Tensor> e : src.tensors().entrySet()) {
            TensorFiles.FloatTensor t = todo.get(e.getKey());
            if (t == null) {
                dst.tensors().put(e.getKey(), e.getValue());
                continue;
            }
            progress.step(done, e.getKey());
            QuantizedTensor qt = options.forTensor(q, offset).quantize(t.data(), t.rows(), t.cols());
            offset += (t.data().length + 3L) / 4;
            MxSafetensors.put(dst, e.getKey(), qt, t.shape());
            progress.step(++done, e.getKey());
        }
        Safetensors.write(out, dst);
        return 0;
    }
}
