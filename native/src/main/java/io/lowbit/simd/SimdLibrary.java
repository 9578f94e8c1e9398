package io.lowbit.simd;

import org.bytedeco.javacpp.Loader;

/**
 * Loads {@code libjnilowbitsimd.so} once and remembers why it could not be used. The library
 * is in the jar only when a C++ compiler was on the PATH at build time; it is usable only on
 * an x86-64 CPU with AVX2 and FMA, and uses AVX-512 where it has such a path and the CPU has it
 * ({@code -Dlowbit.simd.avx512=false} turns that off).
 */
final class SimdLibrary {
    static final String NAME = "jnilowbitsimd";

    private static final String FAILURE = tryLoad();

    private SimdLibrary() {}

    /** Null when the kernels can run here, else the reason they cannot. */
    static String loadFailure() { return FAILURE; }

    private static String tryLoad() {
        String platform;
        try {
            platform = Loader.getPlatform();
        } catch (Throwable t) {
            return "JavaCPP cannot tell the platform: " + t;
        }
        if (LowbitSimd.class.getResource(platform + "/lib" + NAME + ".so") == null) {
            return "native CPU library not built for " + platform
                    + " (no g++ at build time, or -Dlowbit.simd=false)";
        }
        try {
            Loader.load(LowbitSimd.class);
        } catch (Throwable t) {   // UnsatisfiedLinkError, a broken extraction... never fatal
            return "native CPU library failed to load: " + t;
        }
        if (LowbitSimd.lb_cpu_simd_supported() != 1) return "this CPU lacks AVX2 or FMA";
        // -Dlowbit.simd.avx512=false keeps the kernels on their AVX2 paths (to compare them)
        if (!Boolean.parseBoolean(System.getProperty("lowbit.simd.avx512", "true"))) {
            LowbitSimd.lb_cpu_set_simd_level(1);
        }
        return null;
    }

    /** Whether the kernels take their AVX-512 paths here; call only once loaded. */
    static boolean usesAvx512() {
        return LowbitSimd.lb_cpu_simd_level() >= 2;
    }
}
