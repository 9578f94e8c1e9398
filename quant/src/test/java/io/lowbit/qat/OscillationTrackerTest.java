package io.lowbit.qat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OscillationTrackerTest {
    private static final float S = 0.5f;

    @Test
    void weightAlternatingAcrossABoundaryFreezesAndStays() {
        OscillationTracker t = new OscillationTracker(2, 4, true, 0.01, 0.02);
        float[] w = new float[2];
        int frozenAt = -1;
        for (int step = 0; step < 200 && frozenAt < 0; step++) {
            // weight 0 hops over the boundary 1.5 * S (levels 1 and 2); weight 1 drifts inside level 1
            w[0] = step % 2 == 0 ? 0.7f : 0.8f;
            w[1] = 0.55f + 0.001f * (step % 7);
            t.update(w, S);
            if (t.isFrozen(0)) frozenAt = step;
        }
        assertTrue(frozenAt > 0, "the oscillating weight froze");
        assertFalse(t.isFrozen(1), "the stable weight did not");
        // level EMA of a 1,2,1,2,... stream lies in (1, 2) near 1.5: its rounding is the frozen level
        int level = t.frozenLevel(0);
        assertEquals(Math.rint(t.levelEma(0)), level);
        assertTrue(level == 1 || level == 2);
        assertEquals(level * S, w[0]);
        for (int step = 0; step < 50; step++) {
            w[0] = 3f; // the optimizer keeps pushing
            t.update(w, S);
            assertEquals(level * S, w[0]);
        }
        assertEquals(0.0, t.frequency(1));
        assertEquals(1, t.frozenCount());
    }

    @Test
    void monotoneMovesAreNotOscillations() {
        OscillationTracker t = new OscillationTracker(1, 8, true, 0.5, 0.1);
        float[] w = new float[1];
        for (int step = 0; step < 40; step++) {
            w[0] = step * 0.6f * S; // crosses a level almost every step, always upward
            t.update(w, S);
        }
        assertFalse(t.isFrozen(0));
        assertEquals(0.0, t.frequency(0));
    }

    @Test
    void confidenceAnnealingFreezesWeightsFarFromABoundary() {
        OscillationTracker t = new OscillationTracker(3, 4, false, 0.1);
        float[] w = {1.05f * S, 1.45f * S, 2.9f * S}; // distances from a boundary: 0.45, 0.05, 0.4
        assertEquals(2, t.freezeConfident(w, S, 0.3));
        assertTrue(t.isFrozen(0));
        assertFalse(t.isFrozen(1));
        assertTrue(t.isFrozen(2));
        assertEquals(1, t.frozenLevel(0));
        assertEquals(3, t.frozenLevel(2));
        assertEquals(3 * S, w[2]);
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new OscillationTracker(3, 1, true, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new OscillationTracker(3, 4, true, 0, 0.1));
        OscillationTracker t = new OscillationTracker(3, 4, true, 0.1);
        assertThrows(IllegalArgumentException.class, () -> t.update(new float[2], 1f));
        assertThrows(IllegalArgumentException.class, () -> t.update(new float[3], 0f));
        assertThrows(IllegalArgumentException.class, () -> t.freezeConfident(new float[3], 1f, 0.7));
    }
}
