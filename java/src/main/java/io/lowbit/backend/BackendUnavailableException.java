package io.lowbit.backend;

/** A backend cannot run here; the message is the reason shown by {@code lowbit info}. */
public class BackendUnavailableException extends Exception {
    public BackendUnavailableException(String reason) { super(reason); }
    public BackendUnavailableException(String reason, Throwable cause) { super(reason, cause); }
}
