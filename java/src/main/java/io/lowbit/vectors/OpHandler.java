package io.lowbit.vectors;

import io.lowbit.backend.Backend;
import io.lowbit.io.NpyArray;

import java.util.Map;
import java.util.Set;

/**
 * Runs one op of the vector format on a backend. A handler computes every output it can;
 * the runner compares those that the case's {@code expected} names.
 *
 * <p>Handlers read parameters through {@link VectorCase}'s typed getters, which fail with
 * a clear message when a parameter is missing or has an unsupported value. A handler
 * throws {@link UnsupportedOperationException} for a parameter value it does not support:
 * the runner reports that case as failed with the reason (never skipped).
 */
public interface OpHandler {
    /** The op name in the manifest, e.g. "cast". */
    String op();

    /** Outputs by name (the names of the vector-format table's "expected" column). */
    Map<String, NpyArray> run(VectorCase c, Backend backend) throws Exception;

    /**
     * The parameter names this op reads, or null to accept any. Where given, the runner fails
     * a case that names another parameter (a misspelt name would otherwise be ignored).
     */
    default Set<String> params() { return null; }

    /**
     * How to show one element of an integer output in a failure message, e.g. "448.0" for
     * the E4M3 code 0x7e; null shows the plain integer.
     */
    default String describe(VectorCase c, String array, long bits) { return null; }
}
