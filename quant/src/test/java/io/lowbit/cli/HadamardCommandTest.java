package io.lowbit.cli;

import io.lowbit.RandomStream;
import io.lowbit.hadamard.Hadamard;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class HadamardCommandTest {
    @TempDir
    Path dir;

    private Path input(int rows, int cols) throws Exception {
        float[] x = new float[rows * cols];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        Path p = dir.resolve("x.npy");
        Npy.write(p, NpyArray.of(x, rows, cols));
        return p;
    }

    @Test
    void writesTheSameBitsAsTheApi() throws Exception {
        Path in = input(3, 256), out = dir.resolve("y.npy");
        assertEquals(0, Main.run("hadamard", "--n", "128", "--normalize", "--random", "--seed", "42",
                "--in", in.toString(), "--out", out.toString()));
        NpyArray y = Npy.read(out);
        assertArrayEquals(new int[] {3, 256}, y.shape());
        float[] want = Hadamard.builder(128).normalize(true).randomSigns(RandomStream.of(42)).build()
                .apply(Npy.read(in).floats(), 3, 256);
        assertArrayEquals(want, y.floats());

        Path back = dir.resolve("back.npy");
        assertEquals(0, Main.run("hadamard", "--n", "128", "--normalize", "--inverse", "--random", "--seed", "42",
                "--in", out.toString(), "--out", back.toString()));
        float[] x = Npy.read(in).floats(), b = Npy.read(back).floats();
        for (int i = 0; i < x.length; i++) assertEquals(x[i], b[i], 1e-5);
    }

    @Test
    void givenSignsFromAFile() throws Exception {
        Path in = input(1, 8), out = dir.resolve("y.npy"), signs = dir.resolve("s.npy");
        float[] s = {1, -1, -1, 1, 1, 1, -1, 1};
        Npy.write(signs, NpyArray.of(s));
        assertEquals(0, Main.run("hadamard", "--n", "8", "--signs", signs.toString(),
                "--in", in.toString(), "--out", out.toString()));
        assertArrayEquals(Hadamard.builder(8).signs(s).build().apply(Npy.read(in).floats(), 1, 8),
                Npy.read(out).floats());
    }

    @Test
    void usageErrorsExitTwoAndWriteNothing() throws Exception {
        Path in = input(2, 96), out = dir.resolve("y.npy");
        String i = in.toString(), o = out.toString();
        assertEquals(2, Main.run("hadamard", "--n", "12", "--in", i, "--out", o));        // not a power of two
        assertEquals(2, Main.run("hadamard", "--n", "64", "--in", i, "--out", o));        // 96 not a multiple of 64
        assertEquals(2, Main.run("hadamard", "--n", "32", "--random", "--in", i, "--out", o)); // no seed
        assertEquals(2, Main.run("hadamard", "--n", "32", "--seed", "3", "--in", i, "--out", o)); // seed without random
        assertEquals(2, Main.run("hadamard", "--n", "32", "--in", i));                    // no --out
        assertEquals(2, Main.run("hadamard", "--n", "x32", "--in", i, "--out", o));
        assertEquals(1, Main.run("hadamard", "--n", "32", "--in", dir.resolve("missing.npy").toString(), "--out", o));
        assertFalse(Files.exists(out));
    }
}
