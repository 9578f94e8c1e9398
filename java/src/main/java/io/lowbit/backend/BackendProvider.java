package io.lowbit.backend;

/**
 * Found through {@link java.util.ServiceLoader}: how an optional backend (the CUDA one,
 * in lowbit-native) plugs in without lowbit-core depending on it.
 */
public interface BackendProvider {
    /** Name the backend is asked for by ({@code -Dlowbit.backend=NAME}). */
    String name();

    /**
     * Creates the backend, or throws {@link BackendUnavailableException} whose message
     * says why not (no native library, no driver, no device of compute capability 8.0+...).
     * Must never crash the JVM.
     */
    Backend create() throws BackendUnavailableException;
}
