package io.lowbit.cli;

import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.io.Safetensors;
import io.lowbit.mx.MxSafetensors;
import io.lowbit.mx.QuantizedTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lowbit dequantize}: .lbq or .safetensors (gpt-oss or lowbit layout) back to float32,
 * as .npy (one tensor) or .safetensors (every quantized tensor as F32 in its original shape,
 * other tensors copied).
 */
@Command(name = "dequantize", mixinStandardHelpOptions = true,
        description = "Dequantize a .lbq or .safetensors file to float32 (.npy or .safetensors).")
final class DequantizeCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "input .lbq or .safetensors")
    Path in;

    @Option(names = "--out", required = true, description = "output .npy or .safetensors")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!TensorFiles.isLbq(in) && !TensorFiles.isSafetensors(in)) {
            throw new IllegalArgumentException("--in must be a .lbq or .safetensors file, got " + in);
        }
        TensorFiles.requireKnown("--out", out, false);
        if (TensorFiles.isLbq(in)) {
            QuantizedTensor q = QuantizedTensor.load(in);
            write(Map.of(TensorFiles.stem(in), new MxSafetensors.Entry(q, new long[] {q.rows(), q.cols()})), null);
            return 0;
        }
        Safetensors.Contents src = Safetensors.read(in);
        write(MxSafetensors.quantized(src), src);
        return 0;
    }

    private void write(Map<String, MxSafetensors.Entry> entries, Safetensors.Contents src) throws Exception {
        if (TensorFiles.isNpy(out)) {
            if (entries.size() != 1) {
                throw new IllegalArgumentException("--out .npy needs exactly one quantized tensor in --in, found "
                        + entries.size() + "; use a .safetensors output");
            }
            MxSafetensors.Entry e = entries.values().iterator().next();
            int[] shape = new int[e.shape().length];
            for (int i = 0; i < shape.length; i++) shape[i] = (int) e.shape()[i];
            Npy.write(out, NpyArray.of(e.tensor().dequantize(), shape));
            return;
        }
        Safetensors.Contents dst = new Safetensors.Contents();
        if (src != null) {
            src.tensors().forEach((name, t) -> {
                if (!MxSafetensors.isQuantizedPart(name)) dst.tensors().put(name, t);
            });
            src.metadata().forEach((k, v) -> {
                if (!k.startsWith(MxSafetensors.META)) dst.metadata().put(k, v);
            });
        }
        Progress progress = new Progress(entries.size());
        int done = 0;
        for (Map.Entry<String, MxSafetensors.Entry> e : entries.entrySet()) {
            progress.step(done, e.getKey());
            dst.tensors().put(e.getKey(), Safetensors.Tensor.ofFloats(e.getValue().tensor().dequantize(), e.getValue().shape()));
            progress.step(++done, e.getKey());
        }
        Safetensors.write(out, dst);
    }
}
