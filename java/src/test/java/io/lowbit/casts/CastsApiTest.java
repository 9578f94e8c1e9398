package io.lowbit.casts;

import io.lowbit.CastOptions;
import io.lowbit.Casts;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.Rounding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to the public API: IllegalArgumentException naming the argument, before any kernel. */
class CastsApiTest {
    private static final float[] X = {1f, 2f};

    private static void rejects(String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(argument), "message '" + e.getMessage() + "' should name " + argument);
    }

    @Test
    void nullArrays() {
        rejects("x", () -> Casts.encode(ElementFormat.E4M3, null, CastOptions.RNE));
        rejects("x", () -> Casts.encode16(ElementFormat.BF16, null, CastOptions.RNE));
        rejects("x", () -> Casts.encodePackedE2M1(null, CastOptions.RNE));
        rejects("codes", () -> Casts.decode(ElementFormat.E4M3, null));
        rejects("codes", () -> Casts.decode16(ElementFormat.FP16, null));
    }

    @Test
    void nullFormatAndOptions() {
        rejects("format", () -> Casts.encode(null, X, CastOptions.RNE));
        rejects("format", () -> Casts.decode16(null, new short[1]));
        rejects("options", () -> Casts.encode(ElementFormat.E4M3, X, null));
        rejects("options", () -> Casts.encode16(ElementFormat.FP16, X, null));
        rejects("options", () -> Casts.encodePackedE2M1(X, null));
    }

    @Test
    void wrongFormatWidth() {
        rejects("format", () -> Casts.encode16(ElementFormat.E4M3, X, CastOptions.RNE));
        rejects("format", () -> Casts.decode16(ElementFormat.E2M1, new short[1]));
        rejects("format", () -> Casts.encode(ElementFormat.BF16, X, CastOptions.RNE));
        rejects("format", () -> Casts.decode(ElementFormat.FP16, new byte[1]));
    }

    @Test
    void stochasticWithoutRandomStream() {
        rejects("random", () -> new CastOptions(Rounding.STOCHASTIC, true, null));
        rejects("random", () -> CastOptions.stochastic(null, false));
    }

    @Test
    void emptyInputsAreFine() {
        assertTrue(Casts.encode(ElementFormat.E4M3, new float[0], CastOptions.stochastic(RandomStream.of(1), true)).length == 0);
        assertTrue(Casts.encodePackedE2M1(new float[0], CastOptions.RNE).length == 0);
    }
}
