package io.lowbit.mx;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared microxcaling anchors (other people's program) and lowbit's own mx/scaled
 * vectors, through the vector handlers, on every available backend.
 */
class MxVectorsTest {
    static final Path ANCHORS = Path.of("/work/shared/vectors/anchors/mx");

    static Path ownVectors() {
        return Path.of(System.getProperty("lowbit.testVectors", "../test-vectors"));
    }

    @Test
    void microxcalingAnchorsPassOnEveryBackend() throws Exception {
        Path dir = Files.isDirectory(ANCHORS) ? ANCHORS : ownVectors().resolve("mx/anchors");
        List<Path> cases = MxCaseRunner.manifests(dir);
        assertEquals(5, cases.size(), "microxcaling anchors in " + dir);
        assertAllPass(cases);
    }

    @Test
    void ownMxAndScaledVectorsPassOnEveryBackend() throws Exception {
        List<Path> cases = new ArrayList<>(MxCaseRunner.manifests(ownVectors().resolve("mx")));
        cases.addAll(MxCaseRunner.manifests(ownVectors().resolve("scaled")));
        assertTrue(cases.size() > 50, "expected the generated vectors, found " + cases.size());
        assertAllPass(cases);
    }

    private static void assertAllPass(List<Path> cases) throws Exception {
        List<String> problems = new ArrayList<>();
        for (Backend b : Backends.available()) {
            for (Path c : cases) problems.addAll(MxCaseRunner.check(c, b));
        }
        assertTrue(problems.isEmpty(), problems.size() + " mismatches, first: " + problems.subList(0, Math.min(5, problems.size())));
    }
}
