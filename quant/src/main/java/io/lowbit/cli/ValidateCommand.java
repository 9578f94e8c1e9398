package io.lowbit.cli;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.vectors.VectorSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code lowbit validate DIR... [--backend B]}: runs every validation vector below the
 * directories (docs/vector-format.md) on the chosen backends. One line per failure, then
 * {@code N passed, M failed} over case x backend. Exit 0 all passed, 1 any failed,
 * 2 usage error.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Run the validation vectors (*.json cases) below each DIR on the chosen backends.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "directories of cases (or single .json cases)")
    List<Path> dirs;

    @Option(names = "--backend", paramLabel = "B", defaultValue = "all",
            description = "cpu (the best CPU backend), scalar, vector, simd, cuda, or all available (default: ${DEFAULT-VALUE})")
    String backend;

    @Override
    public Integer call() throws IOException {
        List<Backend> backends = backends(backend);   // IllegalArgumentException: usage error, exit 2
        for (Path d : dirs) {
            if (!Files.exists(d)) throw new IllegalArgumentException("DIR '" + d + "' does not exist");
        }
        List<Path> cases = VectorSuite.discover(dirs);
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (cases.isEmpty()) err.println("lowbit: no *.json cases below " + dirs);

        // A progress line only for a person watching: never into a log or a pipe.
        boolean progress = System.console() != null;
        int total = cases.size() * backends.size();
        int[] counts = new int[2];   // passed, failed
        VectorSuite.runAll(cases, backends, r -> {
            if (r.passed()) {
                counts[0]++;
            } else {
                counts[1]++;
                if (progress) err.print("\r\033[K");
                out.println("FAIL [" + r.backend() + "] " + r.manifest() + ": " + r.failure());
                out.flush();
            }
            if (progress) {
                err.print("\r\033[K" + (counts[0] + counts[1]) + "/" + total + " " + r.manifest());
                err.flush();
            }
        });
        if (progress) err.print("\r\033[K");
        out.println(counts[0] + " passed, " + counts[1] + " failed");
        return counts[1] > 0 ? 1 : 0;
    }

    static List<Backend> backends(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "all": return Backends.available();
            case "cpu": case "scalar": case "vector": case "simd": case "cuda": return List.of(Backends.byName(n));
            default:
                throw new IllegalArgumentException("--backend must be one of cpu, scalar, vector, simd, cuda, all; got '" + name + "'");
        }
    }
}
