package io.lowbit.cli;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code lowbit info}: which backends exist here, which one is chosen, and why not the others. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the backends found, the one chosen, and why any other is unavailable.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("java:    " + System.getProperty("java.vm.name") + " " + Runtime.version()
                + " (" + Runtime.getRuntime().availableProcessors() + " processors)");
        for (Backends.Status s : Backends.probeAll()) {
            System.out.printf("%-8s %s%n", s.name() + ":",
                    s.available() ? "available, " + s.backend().description() : "unavailable: " + s.reason());
        }
        String asked = System.getProperty(Backends.PROPERTY, "auto");
        Backend chosen = Backends.get();
        System.out.println("chosen:  " + chosen.name() + " (-D" + Backends.PROPERTY + "=" + asked + ")");
        return 0;
    }
}
