package io.lowbit.hadamard;

import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FFHT anchors (other people's program: fht_float) and the project's hadamard vectors,
 * on every backend available here.
 */
class HadamardVectorsTest {
    static final Path SHARED_ANCHORS = Path.of("/work/shared/vectors/anchors/hadamard");
    static final Path PROJECT = Path.of(System.getProperty("lowbit.testVectors", "../test-vectors"), "hadamard");

    @Test
    void projectVectorsExistWithTheFfhtAnchorCopies() throws Exception {
        List<Path> all = HadamardCases.manifests(PROJECT);
        assertTrue(all.size() >= 15, "expected every n 2..32768 under " + PROJECT + ", found " + all.size());
        assertTrue(HadamardCases.manifests(PROJECT.resolve("anchors-ffht")).size() >= 4, "FFHT anchor copies");
    }

    @TestFactory
    List<DynamicTest> everyCaseOnEveryBackend() throws Exception {
        List<Path> cases = new ArrayList<>(HadamardCases.manifests(PROJECT));
        // The shared anchors include n=8192, too large to copy into the project.
        cases.addAll(HadamardCases.manifests(SHARED_ANCHORS));
        List<DynamicTest> tests = new ArrayList<>();
        for (Backend b : Backends.available()) {
            for (Path p : cases) {
                tests.add(DynamicTest.dynamicTest(b.name() + " " + p.getParent().getFileName() + "/" + p.getFileName(),
                        () -> HadamardCases.check(p, b)));
            }
        }
        return tests;
    }
}
