package io.lowbit.demo;

import java.io.PrintStream;

/**
 * A progress bar per epoch on standard error: redrawn in place on a terminal, one line per
 * finished epoch otherwise (logs, CI), so long training shows that it is moving.
 */
class Progress {
    private final PrintStream out;
    private final boolean terminal;

    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    static Progress stderr() { return new Progress(System.err, System.console() != null); }

    /** Reports nothing (tests). */
    static Progress silent() {
        return new Progress(null, false) {
            @Override void batch(String r, int e, int es, int b, int bs, float l) {}
            @Override void epochDone(String r, int e, int es, float l, float a) {}
        };
    }

    void batch(String recipe, int epoch, int epochs, int batch, int batches, float meanLoss) {
        if (!terminal) return;
        int width = 24;
        int filled = batch * width / batches;
        out.printf("\r%-5s epoch %2d/%d [%s%s] %3d/%d loss %.4f ", recipe, epoch, epochs,
                "#".repeat(filled), "-".repeat(width - filled), batch, batches, meanLoss);
        out.flush();
    }

    void epochDone(String recipe, int epoch, int epochs, float loss, float accuracy) {
        String line = String.format("%-5s epoch %2d/%d loss %.4f test accuracy %.2f%%", recipe, epoch, epochs, loss, accuracy);
        if (terminal) out.print("\r" + line + " ".repeat(20) + "\n");
        else out.println(line);
        out.flush();
    }
}
