package io.lowbit.cuda;

import org.bytedeco.javacpp.Loader;

/**
 * Loads {@code libjnilowbitcuda.so} once and remembers why it could not be loaded. The
 * library is only in the jar when nvcc was on the PATH at build time.
 */
final class NativeLibrary {
    static final String NAME = "jnilowbitcuda";

    private static final Object LOCK = new Object();
    private static boolean attempted;
    private static String failure;

    private NativeLibrary() {}

    /** Loads the library if not done yet; null on success, else the reason it cannot load. */
    static String loadFailure() {
        synchronized (LOCK) {
            if (!attempted) {
                attempted = true;
                failure = tryLoad();
            }
            return failure;
        }
    }

    static boolean isLoaded() { return loadFailure() == null; }

    /** Before any native call: the library must be loaded. */
    static void require() {
        String reason = loadFailure();
        if (reason != null) throw new IllegalStateException("the lowbit CUDA library is unavailable: " + reason);
    }

    /** Whether the build put the library into the class path (nvcc was present). */
    static boolean bundled() {
        String platform;
        try {
            platform = Loader.getPlatform();
        } catch (Throwable t) {
            return false;
        }
        return LowbitCuda.class.getResource(platform + "/lib" + NAME + ".so") != null;
    }

    private static String tryLoad() {
        if (!bundled()) {
            return "native library not built (nvcc was absent at build time, or -Dlowbit.cuda=false)";
        }
        try {
            Loader.load(LowbitCuda.class);
            return null;
        } catch (Throwable t) {   // UnsatisfiedLinkError, a broken extraction... never fatal
            return "native library failed to load: " + t;
        }
    }
}
