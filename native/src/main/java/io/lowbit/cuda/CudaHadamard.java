package io.lowbit.cuda;

import io.lowbit.Checks;
import io.lowbit.RandomStream;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.scalar.ScalarHadamard;
import io.lowbit.hadamard.Hadamard;

/**
 * Hadamard transforms (contract 6) on the GPU: one kernel ({@code lowbit_hadamard_kernels.cuh}),
 * the butterflies in registers, warp shuffles and shared memory, in the canonical stage order,
 * so the bits are those of {@link ScalarHadamard}. The factor applied after the butterflies is
 * {@link ScalarHadamard#scale}, computed here on the host and passed to the kernel.
 *
 * <p>As {@link HadamardKernels} it works on host arrays (copy in, kernel, copy out); the static
 * methods work on device buffers, with given signs or signs drawn on the device from Philox.
 */
public final class CudaHadamard implements HadamardKernels {
    // sign modes of lowbit_hadamard.cuh (LB_SIGNS_*)
    private static final int SIGNS_NONE = 0, SIGNS_GIVEN = 1, SIGNS_RANDOM = 2;

    @Override
    public void transform(float[] x, float[] y, int rows, int cols, int n, boolean normalize, boolean inverse,
                          float[] signs) {
        checkShape(rows, cols, n);
        int total = Math.multiplyExact(rows, cols);
        Checks.floats("x", x, total);
        Checks.floats("y", y, total);
        if (signs != null) checkSigns(signs, n);
        if (total == 0) return;
        try (DeviceBuffer dx = DeviceBuffer.floats(total);
             DeviceBuffer ds = signs == null ? null : DeviceBuffer.of(signs)) {
            dx.copyFrom(x, 0, 0, total);
            launch(dx, dx, rows, cols, n, normalize, inverse, signs == null ? SIGNS_NONE : SIGNS_GIVEN, ds, null);
            dx.copyTo(0, y, 0, total);
        }
    }

    /**
     * Contract 6 on device buffers: {@code y = H(s * x) * c} (forward) or {@code s * (H x) * c}
     * (inverse), per block of n, as {@link HadamardKernels#transform}. {@code y} may be {@code x}.
     *
     * @param signs null for none, else a FLOAT buffer of n values each +1 or -1 (checked: they
     *              are copied to the host once)
     */
    public static void transform(DeviceBuffer x, DeviceBuffer y, int rows, int cols, int n, boolean normalize,
                                 boolean inverse, DeviceBuffer signs) {
        checkShape(rows, cols, n);
        if (signs != null) {
            CudaKernels.requireType("signs", signs, DeviceBuffer.Type.FLOAT);
            CudaKernels.requireLength("signs", signs, n);
            float[] host = new float[n];
            signs.copyTo(0, host, 0, n);
            checkSigns(host, n);
        }
        launch(x, y, rows, cols, n, normalize, inverse, signs == null ? SIGNS_NONE : SIGNS_GIVEN, signs, null);
    }

    /**
     * As {@link #transform(DeviceBuffer, DeviceBuffer, int, int, int, boolean, boolean, DeviceBuffer)}
     * with the random signs of contract 6 drawn inside the kernel: {@code s_j = -1} iff the top
     * bit of word j of {@code random} is set (the signs of {@link Hadamard#randomSigns}).
     */
    public static void transformRandomSigns(DeviceBuffer x, DeviceBuffer y, int rows, int cols, int n, boolean normalize,
                                            boolean inverse, RandomStream random) {
        checkShape(rows, cols, n);
        Checks.notNull("random", random);
        launch(x, y, rows, cols, n, normalize, inverse, SIGNS_RANDOM, null, random);
    }

    private static void launch(DeviceBuffer x, DeviceBuffer y, int rows, int cols, int n, boolean normalize,
                               boolean inverse, int signMode, DeviceBuffer signs, RandomStream random) {
        long total = (long) rows * cols;
        CudaKernels.requireType("x", x, DeviceBuffer.Type.FLOAT);
        CudaKernels.requireLength("x", x, total);
        CudaKernels.requireType("y", y, DeviceBuffer.Type.FLOAT);
        CudaKernels.requireLength("y", y, total);
        RandomStream r = random == null ? new RandomStream(0, 0, 0) : random;
        float scale = ScalarHadamard.scale(n, normalize, inverse);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_launch_hadamard(x.address(), y.address(), total / n, n, scale,
                CudaKernels.flag(inverse), signMode, signs == null ? 0 : signs.address(), r.seed(), r.offset(),
                r.stream(), x.stream()),
                "kernel lb_hadamard_kernel (n=" + n + ", " + rows + "x" + cols + ")");
    }

    static void checkShape(int rows, int cols, int n) {
        if (n < Hadamard.MIN_N || n > Hadamard.MAX_N || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("n must be a power of two in " + Hadamard.MIN_N + ".." + Hadamard.MAX_N
                    + ", got " + n);
        }
        Checks.nonNegative("rows", rows);
        Checks.nonNegative("cols", cols);
        if (cols % n != 0) throw new IllegalArgumentException("cols must be a multiple of n=" + n + ", got " + cols);
    }

    static void checkSigns(float[] signs, int n) {
        Checks.length("signs", signs.length, n);
        for (int j = 0; j < n; j++) {
            if (signs[j] != 1f && signs[j] != -1f) {
                throw new IllegalArgumentException("signs must be +1 or -1, got " + signs[j] + " at " + j);
            }
        }
    }
}
