package io.lowbit.qat;

import io.lowbit.Checks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scale freezing in the spirit of GAQAT (gradient-adaptive QAT). <b>This is lowbit's own
 * definition</b>: the paper's exact equations are not public, so the rule below is ours.
 *
 * <p>Each step the training code hands, per quantizer, two gradients of its scale(s): one from
 * the task loss and one from a smoothness (SAM-style) loss, and gets back the gradient to apply.
 * Per quantizer the freezer keeps the signs of the last {@code K} task-loss gradients (one sign
 * per scale component; sign 0 for a zero or NaN component). Every {@code K} steps of that
 * quantizer it computes the <em>disorder</em>
 * <pre>  D = mean over components of (number of sign flips in the window) / (K - 1)</pre>
 * where a flip is two consecutive signs of opposite sign (a zero is no flip). A scale whose
 * task gradient keeps its direction has D = 0; one that alternates every step has D = 1.
 * When {@code D < tau} the quantizer's task-loss gradient is frozen (a frozen scale has stopped
 * learning from the task loss and only oscillates): from then on the returned gradient is the
 * smoothness gradient alone ({@link Part#TASK}) or zero ({@link Part#WHOLE}).
 * With {@link Mode#PERMANENT} a freeze is final; with {@link Mode#REEVALUATE} every window is
 * evaluated again (the task gradients are still handed in while frozen) and {@code D >= tau}
 * unfreezes.
 *
 * <p>The <em>conflict rate</em> is the fraction of steps where the two gradients point in
 * opposite directions (dot product &lt; 0, i.e. opposite signs for a single scale). Every
 * freeze and unfreeze is recorded as an {@link Event} and passed to the listener.
 */
public final class ScaleFreezer {
    public enum Part { TASK, WHOLE }

    public enum Mode { PERMANENT, REEVALUATE }

    /** A freeze ({@code frozen = true}) or unfreeze at the quantizer's {@code step} (1-based), with the window's D. */
    public record Event(long step, String quantizer, double disorder, boolean frozen) {}

    private final int window;
    private final double tau;
    private final Part part;
    private final Mode mode;
    private final Consumer<Event> listener;
    private final Map<String, State> states = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    private long steps, conflicts;

    private static final class State {
        final byte[][] signs; // [K][components], ring by step
        long step, conflicts;
        boolean frozen;
        double lastDisorder = Double.NaN;

        State(int window, int components) { signs = new byte[window][components]; }
    }

    /**
     * @param window   K, steps per evaluation window, at least 2
     * @param tau      freeze when D &lt; tau, in [0, 1]
     * @param listener receives each event (may be null)
     */
    public ScaleFreezer(int window, double tau, Part part, Mode mode, Consumer<Event> listener) {
        this.window = Checks.inRange("window", window, 2, Integer.MAX_VALUE);
        if (!(tau >= 0 && tau <= 1)) throw new IllegalArgumentException("tau must be in [0, 1], got " + tau);
        this.tau = tau;
        this.part = Checks.notNull("part", part);
        this.mode = Checks.notNull("mode", mode);
        this.listener = listener;
    }

    /**
     * One step of quantizer {@code name}: returns the scale gradient to apply
     * ({@code task + smooth} in float32 while not frozen).
     */
    public float[] step(String name, float[] taskGrad, float[] smoothGrad) {
        Checks.notNull("name", name);
        Checks.notNull("taskGrad", taskGrad);
        Checks.notNull("smoothGrad", smoothGrad);
        Checks.exactLength("smoothGrad", smoothGrad.length, taskGrad.length);
        if (taskGrad.length == 0) throw new IllegalArgumentException("taskGrad must hold at least 1 element, got 0");
        State st = states.computeIfAbsent(name, k -> new State(window, taskGrad.length));
        Checks.exactLength("taskGrad", taskGrad.length, st.signs[0].length);

        double dot = 0;
        for (int i = 0; i < taskGrad.length; i++) dot += (double) taskGrad[i] * smoothGrad[i];
        if (dot < 0) { st.conflicts++; conflicts++; }
        steps++;

        byte[] row = st.signs[(int) (st.step % window)];
        for (int i = 0; i < taskGrad.length; i++) row[i] = (byte) (taskGrad[i] > 0 ? 1 : taskGrad[i] < 0 ? -1 : 0);
        st.step++;
        if (st.step % window == 0 && (!st.frozen || mode == Mode.REEVALUATE)) evaluate(name, st);

        float[] out = new float[taskGrad.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = !st.frozen ? taskGrad[i] + smoothGrad[i] : part == Part.TASK ? smoothGrad[i] : 0f;
        }
        return out;
    }

    /** The window just completed is the whole ring, oldest at index 0 (step is a multiple of K). */
    private void evaluate(String name, State st) {
        int components = st.signs[0].length;
        double sum = 0;
        for (int c = 0; c < components; c++) {
            int flips = 0;
            for (int t = 1; t < window; t++) if (st.signs[t][c] * st.signs[t - 1][c] < 0) flips++;
            sum += (double) flips / (window - 1);
        }
        double d = sum / components;
        st.lastDisorder = d;
        boolean freeze = d < tau;
        if (freeze != st.frozen) {
            st.frozen = freeze;
            Event e = new Event(st.step, name, d, freeze);
            events.add(e);
            if (listener != null) listener.accept(e);
        }
    }

    public boolean isFrozen(String name) {
        State st = states.get(name);
        return st != null && st.frozen;
    }

    /** D of the quantizer's last completed window (NaN before the first). */
    public double lastDisorder(String name) {
        State st = states.get(name);
        return st == null ? Double.NaN : st.lastDisorder;
    }

    /** Fraction of all steps (all quantizers) whose task and smoothness gradients conflicted; 0 before any step. */
    public double conflictRate() { return steps == 0 ? 0 : (double) conflicts / steps; }

    public double conflictRate(String name) {
        State st = states.get(name);
        return st == null || st.step == 0 ? 0 : (double) st.conflicts / st.step;
    }

    /** Every freeze and unfreeze so far, in order. */
    public List<Event> events() { return Collections.unmodifiableList(events); }
}
