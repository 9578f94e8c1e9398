package io.lowbit.vectors.ops;

import io.lowbit.backend.Backends;
import io.lowbit.io.Npy;
import io.lowbit.io.NpyArray;
import io.lowbit.vectors.VectorSuite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad hadamard cases fail with a reason naming what is wrong. */
class HadamardHandlerTest {
    @TempDir
    Path dir;

    private String failure(String params, String inputs) throws Exception {
        Npy.write(dir.resolve("x.npy"), NpyArray.of(new float[] {1, 2, 3, 4}, 1, 4));
        // expected = the unnormalized transform of x, by hand: (10, -2, -4, 0)
        Npy.write(dir.resolve("y.npy"), NpyArray.of(new float[] {10, -2, -4, 0}, 1, 4));
        Path m = dir.resolve("case.json");
        Files.writeString(m, "{\"op\": \"hadamard\", \"params\": {" + params + "}, \"inputs\": {\"x\": \"x.npy\"" + inputs
                + "}, \"expected\": {\"y\": \"y.npy\"}}");
        return VectorSuite.run(m, Backends.scalar()).failure();
    }

    @Test
    void goodCasePassesAndBadParametersAreNamed() throws Exception {
        assertNull(failure("\"n\": 4, \"signs\": \"none\"", ""));
        assertTrue(failure("\"n\": 4, \"signs\": \"some\"", "").contains("signs"));
        assertTrue(failure("\"n\": 3", "").contains("n must be"));
        assertTrue(failure("\"n\": 8", "").contains("cols must be a multiple of n=8"));
        assertTrue(failure("\"n\": 4, \"signs\": \"random\"", "").contains("seed"));
        assertTrue(failure("\"n\": 4, \"signs\": \"given\"", "").contains("signs"));
        assertTrue(failure("\"n\": 4, \"normalise\": true", "").contains("normalise"));
    }
}
