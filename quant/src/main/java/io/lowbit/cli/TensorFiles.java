package io.lowbit.cli;

import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading float tensors from .npy and .safetensors files for the quantization commands. */
final class TensorFiles {
    private TensorFiles() {}

    /** A float tensor and its shape; quantized as [product of all but the last dim, last dim]. */
    record FloatTensor(float[] data, long[] shape) {
        int cols() { return shape.length == 0 ? 1 : (int) shape[shape.length - 1]; }
        int rows() { return cols() == 0 ? 0 : data.length / cols(); }
    }

    static boolean isNpy(Path p) { return p.toString().toLowerCase().endsWith(".npy"); }
    static boolean isSafetensors(Path p) { return p.toString().toLowerCase().endsWith(".safetensors"); }
    static boolean isLbq(Path p) { return p.toString().toLowerCase().endsWith(".lbq"); }

    static void requireKnown(String option, Path p, boolean lbqAllowed) {
        if (!isNpy(p) && !isSafetensors(p) && !(lbqAllowed && isLbq(p))) {
            throw new IllegalArgumentException(option + " must name a .npy or .safetensors file"
                    + (lbqAllowed ? " (or .lbq)" : "") + ", got " + p);
        }
    }

    /** A .npy file as one tensor named after the file. */
    static FloatTensor readNpy(Path p) throws IOException {
        NpyArray a = Npy.read(p);
        if (a.dtype() != NpyArray.Dtype.F4) throw new IOException(p + ": expected a float32 array, got " + a);
        long[] shape = new long[a.rank()];
        for (int i = 0; i < shape.length; i++) shape[i] = a.dim(i);
        return new FloatTensor(a.floats(), shape);
    }

    /** Float tensors (F32, F16, BF16) of rank 2 or more: the ones that get quantized. */
    static Map<String, FloatTensor> quantizable(Safetensors.Contents c) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        c.tensors().forEach((name, t) -> {
            boolean isFloat = t.dtype() == Safetensors.Dtype.F32 || t.dtype() == Safetensors.Dtype.F16
                    || t.dtype() == Safetensors.Dtype.BF16;
            if (isFloat && t.shape().length >= 2) out.put(name, new FloatTensor(t.floats(), t.shape()));
        });
        return out;
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
