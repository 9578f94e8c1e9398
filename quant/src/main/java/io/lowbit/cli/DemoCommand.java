package io.lowbit.cli;

import io.lowbit.backend.Backends;
import io.lowbit.demo.Demo;
import io.lowbit.mx.Tile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lowbit demo}: FP4 training of a small model end to end, with a report. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train a small MLP (64-256-128-10) on the digits data three ways - FP32 baseline, "
                + "FP4 recipe (NVFP4 forward operands, Hadamard-rotated stochastic-rounded gradient operands, "
                + "8-bit AdamW), 4-bit LSQ QAT with scale and oscillation freezing - and compare them.",
                "Prints a table and writes an HTML report with the loss and accuracy curves."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "20", description = "Epochs per recipe (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of everything random (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu, scalar, vector, simd or cuda (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--weight-tile", defaultValue = "1x16",
            description = "NVFP4 weight blocks of the FP4 recipe: 1x16 or 16x16 (default ${DEFAULT-VALUE}).")
    String weightTile;

    @Option(names = "--out", defaultValue = "lowbit-demo-out", description = "Directory for the report (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        Backends.byName(backend);                       // fails with the reason if it cannot run here
        System.setProperty(Backends.PROPERTY, backend); // before anything chooses the backend
        Demo.run(epochs, seed, Tile.parse("--weight-tile", weightTile), out, System.out, true);
        return 0;
    }
}
