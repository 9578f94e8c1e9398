package io.lowbit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lowbit} command line. Each subcommand is a class of its own in this package;
 * add a new one to {@code subcommands} below.
 *
 * <p>Exit status: 0 success, 1 a failed check (validate) or an error while working,
 * 2 a usage error (one line on standard error).
 */
@Command(name = "lowbit", mixinStandardHelpOptions = true, version = "lowbit 0.1.0",
        description = "Low-precision numerics for the JVM: FP4/MX quantization, 8-bit optimizer states, "
                + "stochastic rounding, Hadamard transforms, QAT.",
        subcommands = {
                InfoCommand.class,
                DemoCommand.class,
                ValidateCommand.class,
                DequantizeCommand.class,
                GpuBenchCommand.class,
                HadamardCommand.class,
                OptimBenchCommand.class,
                QuantizeCommand.class,
                StatsCommand.class,
        })
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status (tests call this). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("lowbit: " + ex.getMessage()
                    + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof IllegalArgumentException) {
                cmd.getErr().println("lowbit: " + ex.getMessage());
                return 2;
            }
            cmd.getErr().println("lowbit: " + ex);
            return 1;
        });
        return cl.execute(args);
    }
}
