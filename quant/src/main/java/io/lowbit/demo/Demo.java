package io.lowbit.demo;

import io.lowbit.backend.Backends;
import io.lowbit.mx.Tile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job: trains the same MLP (64-256-128-10) on the digits data three ways and
 * compares them: an FP32 baseline, an FP4 training recipe and a 4-bit QAT recipe. Every
 * low-precision step is a lowbit call; see each recipe class for exactly which.
 */
public final class Demo {
    public static final int[] SIZES = {64, 256, 128, 10};

    /** What {@link #run} produced. */
    public record Result(List<Trainer.History> runs, Path report) {
        public Trainer.History get(String recipe) {
            return runs.stream().filter(h -> h.recipe().equals(recipe)).findFirst().orElseThrow();
        }
    }

    private Demo() {}

    /** The defaults of {@code lowbit demo}: 20 epochs, NVFP4 weights in 1x16 blocks. */
    public static final int DEFAULT_EPOCHS = 20;

    public static Result run(int epochs, long seed, Path outDir, PrintStream out, boolean showProgress) throws IOException {
        return run(epochs, seed, Tile.T1X16, outDir, out, showProgress);
    }

    public static Result run(int epochs, long seed, Tile weightTile, Path outDir, PrintStream out, boolean showProgress)
            throws IOException {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        Dataset[] split = Dataset.digits();
        Trainer trainer = new Trainer(split[0], split[1], SIZES);
        Progress progress = showProgress ? Progress.stderr() : Progress.silent();
        String header = String.format(Locale.ROOT,
                "digits: %d train / %d test images (8x8, fixed split), MLP 64-256-128-10, batch %d, %d epochs, seed %d, backend %s",
                split[0].count(), split[1].count(), Trainer.BATCH, epochs, seed, Backends.get().name());
        out.println(header);
        List<Trainer.History> runs = new ArrayList<>();
        for (Recipe r : List.of(new Fp32Recipe(), new Fp4Recipe(weightTile), new QatRecipe())) {
            runs.add(trainer.run(r, epochs, seed, progress));
        }
        out.println();
        out.print(Report.table(runs));
        Trainer.History fp32 = runs.get(0);
        out.printf(Locale.ROOT, "FP4 vs FP32: %+.2f points, QAT vs FP32: %+.2f points; 8-bit optimizer state = %.0f%% of 32-bit%n",
                runs.get(1).finalAccuracy() - fp32.finalAccuracy(), runs.get(2).finalAccuracy() - fp32.finalAccuracy(),
                100.0 * runs.get(1).stateBytes() / fp32.stateBytes());
        Files.createDirectories(outDir);
        Path report = outDir.resolve("lowbit-demo.html");
        Report.writeHtml(report, runs, header);
        out.println("report: " + report.toAbsolutePath());
        return new Result(runs, report);
    }
}
