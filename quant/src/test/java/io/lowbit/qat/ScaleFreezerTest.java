package io.lowbit.qat;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScaleFreezerTest {

    @Test
    void consistentSignsFreezeAfterTheFirstWindow() {
        List<ScaleFreezer.Event> heard = new ArrayList<>();
        ScaleFreezer f = new ScaleFreezer(4, 0.3, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.PERMANENT, heard::add);
        for (int step = 1; step <= 3; step++) {
            assertArrayEquals(new float[] {1.5f}, f.step("a", new float[] {1f}, new float[] {0.5f}));
            assertFalse(f.isFrozen("a"));
        }
        // step 4 completes the window: D = 0 < tau -> frozen; the smoothness part still flows
        assertArrayEquals(new float[] {0.5f}, f.step("a", new float[] {1f}, new float[] {0.5f}));
        assertTrue(f.isFrozen("a"));
        assertEquals(0.0, f.lastDisorder("a"));
        assertEquals(List.of(new ScaleFreezer.Event(4, "a", 0.0, true)), f.events());
        assertEquals(f.events(), heard);
        // permanent: an alternating stream afterwards changes nothing
        for (int step = 5; step <= 12; step++) f.step("a", new float[] {step % 2 == 0 ? 1f : -1f}, new float[] {0.25f});
        assertTrue(f.isFrozen("a"));
        assertEquals(1, f.events().size());
    }

    @Test
    void alternatingStreamNeverFreezes() {
        ScaleFreezer f = new ScaleFreezer(5, 0.5, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.PERMANENT, null);
        for (int step = 0; step < 100; step++) {
            float[] out = f.step("w", new float[] {step % 2 == 0 ? 2f : -2f, step % 2 == 0 ? -1f : 1f}, new float[] {0.5f, 0.5f});
            assertEquals((step % 2 == 0 ? 2f : -2f) + 0.5f, out[0]);
        }
        assertFalse(f.isFrozen("w"));
        assertEquals(1.0, f.lastDisorder("w"));
        assertTrue(f.events().isEmpty());
    }

    @Test
    void vectorDisorderAveragesComponents() {
        ScaleFreezer f = new ScaleFreezer(3, 0.6, ScaleFreezer.Part.WHOLE, ScaleFreezer.Mode.PERMANENT, null);
        // component 0 flips twice (2/2), component 1 never (0/2): D = 0.5 < 0.6
        f.step("v", new float[] {1, 1}, new float[] {0, 0});
        f.step("v", new float[] {-1, 1}, new float[] {0, 0});
        assertArrayEquals(new float[] {0f, 0f}, f.step("v", new float[] {1, 1}, new float[] {3, 3}));
        assertEquals(0.5, f.lastDisorder("v"));
        assertTrue(f.isFrozen("v"));
    }

    @Test
    void conflictRateCountsOppositeDirections() {
        ScaleFreezer f = new ScaleFreezer(10, 0.1, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.PERMANENT, null);
        f.step("a", new float[] {1}, new float[] {-1});    // conflict
        f.step("a", new float[] {1}, new float[] {1});
        f.step("a", new float[] {-1}, new float[] {0});    // zero: no conflict
        f.step("b", new float[] {1, -1}, new float[] {-1, -3}); // dot = 2 > 0: no conflict
        f.step("b", new float[] {1, -1}, new float[] {-3, -1}); // dot = -2: conflict
        assertEquals(1.0 / 3, f.conflictRate("a"), 1e-15);
        assertEquals(0.5, f.conflictRate("b"));
        assertEquals(2.0 / 5, f.conflictRate(), 1e-15);
    }

    @Test
    void reevaluatePolicyUnfreezes() {
        ScaleFreezer f = new ScaleFreezer(4, 0.5, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.REEVALUATE, null);
        for (int i = 0; i < 4; i++) f.step("a", new float[] {1}, new float[] {0.5f});
        assertTrue(f.isFrozen("a"));
        for (int i = 0; i < 4; i++) f.step("a", new float[] {i % 2 == 0 ? 1 : -1}, new float[] {0.5f});
        assertFalse(f.isFrozen("a"));
        assertArrayEquals(new float[] {1.5f}, f.step("a", new float[] {1}, new float[] {0.5f}));
        assertEquals(List.of(new ScaleFreezer.Event(4, "a", 0.0, true), new ScaleFreezer.Event(8, "a", 1.0, false)), f.events());
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> new ScaleFreezer(1, 0.5, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.PERMANENT, null));
        assertThrows(IllegalArgumentException.class, () -> new ScaleFreezer(4, 1.5, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.PERMANENT, null));
        ScaleFreezer f = new ScaleFreezer(4, 0.5, ScaleFreezer.Part.TASK, ScaleFreezer.Mode.PERMANENT, null);
        assertThrows(IllegalArgumentException.class, () -> f.step("a", new float[] {1}, new float[] {1, 2}));
        f.step("a", new float[] {1}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> f.step("a", new float[] {1, 2}, new float[] {1, 2}));
    }
}
