package io.lowbit.hadamard;

import io.lowbit.backend.Backends;
import io.lowbit.vectors.VectorSuite;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The FFHT anchors (fht_float, n = 8..8192, produced by FFHT itself) and the project's hadamard
 * vectors, on every backend available here. (VectorSuiteTest runs them too, among all families;
 * this test also checks that every n is covered.)
 */
class HadamardVectorsTest {
    private static final Path ROOT = Path.of(System.getProperty("lowbit.testVectors", "../test-vectors"));

    @Test
    void anchorsAndProjectVectorsPassOnEveryBackend() throws Exception {
        List<Path> anchors = VectorSuite.discover(List.of(ROOT.resolve("anchors/hadamard")));
        List<Path> own = VectorSuite.discover(List.of(ROOT.resolve("hadamard")));
        assertTrue(anchors.size() >= 5, "FFHT anchors n=8..8192 under " + ROOT);
        Set<Long> sizes = new TreeSet<>();
        for (Path p : own) sizes.add(VectorSuite.load(p).integer("n"));
        for (long n = 2; n <= Hadamard.MAX_N; n *= 2) assertTrue(sizes.contains(n), "no vector for n=" + n);

        List<Path> all = new ArrayList<>(anchors);
        all.addAll(own);
        List<String> failures = new ArrayList<>();
        for (VectorSuite.Result r : VectorSuite.runAll(all, Backends.available(), null)) {
            if (!r.passed()) failures.add(r.backend() + " " + r.manifest().getFileName() + ": " + r.failure());
        }
        assertEquals(List.of(), failures);
    }
}
