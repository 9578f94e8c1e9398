package io.lowbit.cli;

import io.lowbit.RandomStream;
import io.lowbit.hadamard.Hadamard;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code lowbit hadamard}: the Hadamard transform (contract section 6) of a float32 .npy file,
 * along its last axis, written atomically to another .npy file of the same shape.
 */
@Command(name = "hadamard", mixinStandardHelpOptions = true,
        description = "Hadamard transform of a float32 .npy array along its last axis, in blocks of n.")
final class HadamardCommand implements Callable<Integer> {
    @Option(names = "--n", required = true, description = "Block size: a power of two in 2..32768.")
    int n;

    @Option(names = "--normalize", description = "Scale by 1/sqrt(n) (orthonormal).")
    boolean normalize;

    @Option(names = "--inverse", description = "The inverse transform: x = s * (H y) * scale.")
    boolean inverse;

    @Option(names = "--random", description = "Random signs drawn from --seed (and --stream).")
    boolean random;

    @Option(names = "--seed", description = "Seed of the random signs (with --random).")
    Long seed;

    @Option(names = "--stream", defaultValue = "0", description = "Philox stream of the random signs (default 0).")
    int stream;

    @Option(names = "--signs", description = "Given signs: a float32 .npy of n values, each +1 or -1.")
    Path signsFile;

    @Option(names = "--in", required = true, description = "Input float32 .npy (any shape; last axis a multiple of n).")
    Path in;

    @Option(names = "--out", required = true, description = "Output .npy (written atomically).")
    Path out;

    @Override
    public Integer call() {
        // Usage errors (IllegalArgumentException) go to Main's handler: one line, exit 2.
        if (random && signsFile != null) throw new IllegalArgumentException("--random and --signs exclude each other");
        if (random && seed == null) throw new IllegalArgumentException("--random needs --seed");
        if (!random && seed != null) throw new IllegalArgumentException("--seed is only used with --random");
        Hadamard.Builder b = Hadamard.builder(n).normalize(normalize).inverse(inverse);
        NpyArray x;
        try {
            if (random) b.randomSigns(new RandomStream(seed, 0, stream));
            if (signsFile != null) b.signs(floats(Npy.read(signsFile), "--signs"));
            x = Npy.read(in);
        } catch (NoSuchFileException e) {
            System.err.println("lowbit hadamard: no such file: " + e.getFile());
            return 1;
        } catch (IOException e) {
            System.err.println("lowbit hadamard: " + e.getMessage());
            return 1;
        }
        float[] v = floats(x, "--in");
        int[] shape = x.shape();
        if (shape.length == 0) throw new IllegalArgumentException("--in must have at least one axis, got a scalar");
        int cols = shape[shape.length - 1];
        if (cols % n != 0) {
            throw new IllegalArgumentException("--in: last axis (" + cols + ") must be a multiple of --n " + n);
        }
        Hadamard h = b.build();
        h.applyInPlace(v, cols == 0 ? 0 : v.length / cols, cols);
        try {
            Npy.write(out, new NpyArray(NpyArray.Dtype.F4, shape, v));
        } catch (IOException e) {
            System.err.println("lowbit hadamard: cannot write " + out + ": " + e.getMessage());
            return 1;
        }
        return 0;
    }

    private static float[] floats(NpyArray a, String option) {
        if (a.dtype() != NpyArray.Dtype.F4) {
            throw new IllegalArgumentException(option + " must be a float32 (<f4) array, got " + a.dtype().descr);
        }
        return a.floats();
    }
}
