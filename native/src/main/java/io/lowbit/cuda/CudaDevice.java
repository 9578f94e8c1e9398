package io.lowbit.cuda;

import io.lowbit.backend.BackendUnavailableException;

import java.nio.charset.StandardCharsets;

/**
 * The GPU the CUDA backend runs on (device 0: lowbit does not switch devices per thread),
 * with the versions shown by {@code lowbit info}.
 */
public record CudaDevice(int index, String name, int major, int minor, int multiprocessors,
                         long memoryBytes, int driverVersion, int runtimeVersion) {

    /** The smallest compute capability lowbit's kernels are built and tested for. */
    public static final int MIN_MAJOR = 8;

    /** "NVIDIA H100 80GB HBM3, compute capability 9.0, 132 SMs, 79.1 GiB; driver 13.0, runtime 13.0". */
    public String describe() {
        return String.format("%s, compute capability %d.%d, %d SMs, %.1f GiB; CUDA driver %s, runtime %s",
                name, major, minor, multiprocessors, memoryBytes / (double) (1L << 30),
                version(driverVersion), version(runtimeVersion));
    }

    /** CUDA's encoded version 13000 as "13.0". */
    static String version(int v) { return (v / 1000) + "." + (v % 1000) / 10; }

    /**
     * Device 0, if the library is loaded, a driver is present and the device has compute
     * capability 8.0 or more; otherwise the reason.
     */
    static CudaDevice probe() throws BackendUnavailableException {
        NativeLibrary.require();
        int[] out = new int[1];
        LowbitCuda.lb_runtime_version(out);
        int runtime = out[0];
        int err = LowbitCuda.lb_device_count(out);
        int count = out[0];
        if (err == 35) {   // cudaErrorInsufficientDriver
            throw new BackendUnavailableException("no CUDA driver, or one older than the CUDA "
                    + version(runtime) + " runtime lowbit is built with (" + CudaException.describe(err) + ")");
        }
        if (err == 100 || (err == 0 && count == 0)) {   // cudaErrorNoDevice
            throw new BackendUnavailableException("no CUDA device" + (err != 0 ? " (" + CudaException.describe(err) + ")" : ""));
        }
        if (err != 0) {
            throw new BackendUnavailableException("cudaGetDeviceCount failed: " + CudaException.describe(err));
        }
        LowbitCuda.lb_driver_version(out);
        int driver = out[0];
        int[] info = new int[3];
        long[] memory = new long[1];
        byte[] name = new byte[256];
        err = LowbitCuda.lb_device_info(0, info, memory, name, name.length);
        if (err != 0) {
            throw new BackendUnavailableException("cudaGetDeviceProperties(0) failed: " + CudaException.describe(err));
        }
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        CudaDevice d = new CudaDevice(0, new String(name, 0, len, StandardCharsets.UTF_8), info[0], info[1], info[2],
                memory[0], driver, runtime);
        if (d.major() < MIN_MAJOR) {
            throw new BackendUnavailableException("device 0 (" + d.name() + ") has compute capability " + d.major()
                    + "." + d.minor() + "; lowbit's CUDA kernels need 8.0 or more");
        }
        return d;
    }
}
