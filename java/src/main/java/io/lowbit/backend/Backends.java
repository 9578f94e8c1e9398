package io.lowbit.backend;

import io.lowbit.backend.scalar.ScalarBackend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Finds the backends this JVM can run and chooses one, once.
 *
 * <p>{@code -Dlowbit.backend=auto} (default) picks cuda if it loads and a device of
 * compute capability 8.0+ is present, else the best CPU backend: simd (lowbit-native's C++
 * AVX2 kernels over the Java ones) where its library loads on an AVX2 CPU, else the
 * vectorized Java backend if the Vector API module is present, else the scalar one.
 * {@code cpu} picks the best CPU backend; {@code scalar}, {@code vector}, {@code simd} and
 * {@code cuda} pick that one and fail with a clear error if it cannot run here.
 */
public final class Backends {
    public static final String PROPERTY = "lowbit.backend";

    /** One backend's probe result, for {@code lowbit info}. */
    public record Status(String name, Backend backend, String reason) {
        public boolean available() { return backend != null; }
    }

    private static volatile List<Status> probed;
    private static volatile Backend chosen;

    private Backends() {}

    /** The backend chosen by {@code -Dlowbit.backend} (default auto), probed once. */
    public static Backend get() {
        Backend b = chosen;
        if (b == null) {
            synchronized (Backends.class) {
                if (chosen == null) chosen = byName(System.getProperty(PROPERTY, "auto"));
                b = chosen;
            }
        }
        return b;
    }

    /** The plain Java reference backend. Always available. */
    public static Backend scalar() { return ScalarBackend.INSTANCE; }

    /**
     * The backend named {@code name}: auto, cpu, scalar, vector, simd or cuda.
     *
     * @throws IllegalArgumentException for an unknown name, or one that cannot run here
     *                                  (with the reason)
     */
    public static Backend byName(String name) {
        String n = name == null ? "auto" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "auto":
            case "cpu":
                for (String pick : n.equals("auto") ? new String[] {"cuda", "simd", "vector"}
                                                    : new String[] {"simd", "vector"}) {
                    Status s = status(pick);
                    if (s.available()) return s.backend();
                }
                return scalar();
            case "scalar":
                return scalar();
            case "vector":
            case "simd":
            case "cuda": {
                Status s = status(n);
                if (!s.available()) {
                    throw new IllegalArgumentException("backend '" + n + "' is not available here: " + s.reason());
                }
                return s.backend();
            }
            default:
                throw new IllegalArgumentException(
                        PROPERTY + " must be one of auto, cpu, scalar, vector, simd, cuda; got '" + name + "'");
        }
    }

    /** Every backend lowbit knows, available or not (with the reason). */
    public static List<Status> probeAll() {
        List<Status> p = probed;
        if (p == null) {
            synchronized (Backends.class) {
                if (probed == null) probed = List.copyOf(doProbe());
                p = probed;
            }
        }
        return p;
    }

    /** The available backends, scalar first. */
    public static List<Backend> available() {
        List<Backend> out = new ArrayList<>();
        for (Status s : probeAll()) if (s.available()) out.add(s.backend());
        return out;
    }

    private static Status status(String name) {
        for (Status s : probeAll()) if (s.name().equals(name)) return s;
        throw new IllegalStateException("no backend named " + name);
    }

    private static List<Status> doProbe() {
        List<Status> out = new ArrayList<>();
        out.add(new Status("scalar", scalar(), null));
        out.add(probeVector());
        List<String> seen = new ArrayList<>();
        for (BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            try {
                out.add(new Status(provider.name(), provider.create(), null));
            } catch (BackendUnavailableException e) {
                out.add(new Status(provider.name(), null, e.getMessage()));
            } catch (LinkageError | RuntimeException e) {
                out.add(new Status(provider.name(), null, "failed to load: " + e));
            }
            seen.add(provider.name());
        }
        for (String optional : new String[] {"simd", "cuda"}) {
            if (!seen.contains(optional)) out.add(new Status(optional, null, "lowbit-native is not on the class path"));
        }
        return out;
    }

    /**
     * The best backend written in Java alone: vector where the Vector API module is present,
     * else scalar. What the simd backend builds on (it cannot ask {@link #get()}, which may
     * pick it).
     */
    public static Backend javaCpu() {
        Status v = probeVector();
        return v.available() ? v.backend() : scalar();
    }

    /** The Vector API classes are loaded only when the incubator module is present. */
    private static Status probeVector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new Status("vector", null,
                    "the JVM was started without --add-modules jdk.incubator.vector");
        }
        try {
            Class<?> c = Class.forName("io.lowbit.backend.vector.VectorBackend");
            return new Status("vector", (Backend) c.getField("INSTANCE").get(null), null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return new Status("vector", null, "Vector API present but failed to load: " + e);
        }
    }
}
