package io.lowbit.cli;

import java.io.PrintStream;

/** A one-line progress bar on standard error, shown only for more than one item. */
final class Progress {
    private final PrintStream err;
    private final int total;
    private final boolean show;

    Progress(int total) {
        this.err = System.err;
        this.total = total;
        this.show = total > 1;
    }

    void step(int done, String what) {
        if (!show) return;
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        String name = what.length() > 40 ? "..." + what.substring(what.length() - 37) : what;
        err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + " " + name
                + " ".repeat(Math.max(0, 40 - name.length())));
        if (done == total) err.println();
        err.flush();
    }
}
