package io.lowbit.backend;

import java.lang.reflect.Proxy;

/**
 * A kernel family a backend does not implement (yet): every call throws
 * {@link UnsupportedOperationException} naming the family and method. Built with a dynamic
 * proxy, so it keeps compiling (and stays complete) as the family interfaces gain methods.
 */
public final class UnsupportedKernels {
    private UnsupportedKernels() {}

    /**
     * @param family     the kernel family interface, e.g. {@code MxKernels.class}
     * @param backend    who lacks it, as in the message: "CUDA" gives "no CUDA kernel for ..."
     * @param familyName the family's short name in messages, e.g. "mx"
     */
    public static <T> T of(Class<T> family, String backend, String familyName) {
        if (!family.isInterface()) {
            throw new IllegalArgumentException("family must be an interface, got " + family.getName());
        }
        Object proxy = Proxy.newProxyInstance(family.getClassLoader(), new Class<?>[] {family},
                (self, method, args) -> {
                    switch (method.getName()) {   // Object's methods behave normally
                        case "toString":
                            if (method.getParameterCount() == 0) return "unsupported " + backend + " " + familyName + " kernels";
                            break;
                        case "hashCode":
                            if (method.getParameterCount() == 0) return System.identityHashCode(self);
                            break;
                        case "equals":
                            if (method.getParameterCount() == 1 && method.getParameterTypes()[0] == Object.class) return self == args[0];
                            break;
                        default:
                            break;
                    }
                    throw new UnsupportedOperationException(
                            "no " + backend + " kernel for " + familyName + "." + method.getName() + " yet");
                });
        return family.cast(proxy);
    }
}
