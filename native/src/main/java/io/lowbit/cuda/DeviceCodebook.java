package io.lowbit.cuda;

import io.lowbit.Checks;
import io.lowbit.Codebook;

/**
 * A {@link Codebook}'s values and float32 midpoints in device memory, for the blockwise kernels
 * on device buffers ({@link CudaKernels#blockwiseQuantize} ...); the kernels copy them to shared
 * memory. Made once and reused, so a timed call holds no host-to-device copy. Closing frees both.
 */
public final class DeviceCodebook implements AutoCloseable {
    private final Codebook codebook;
    final DeviceBuffer values;
    final DeviceBuffer midpoints;

    private DeviceCodebook(Codebook codebook, DeviceBuffer values, DeviceBuffer midpoints) {
        this.codebook = codebook;
        this.values = values;
        this.midpoints = midpoints;
    }

    /** Copies {@code codebook}'s values and midpoints to the device. */
    public static DeviceCodebook of(Codebook codebook) {
        Checks.notNull("codebook", codebook);
        DeviceBuffer values = DeviceBuffer.of(codebook.valuesUnsafe());
        try {
            return new DeviceCodebook(codebook, values, DeviceBuffer.of(codebook.midpointsUnsafe()));
        } catch (RuntimeException e) {
            values.close();
            throw e;
        }
    }

    /** Already-filled buffers (tests wrap fake addresses to check arguments without a device). */
    static DeviceCodebook of(Codebook codebook, DeviceBuffer values, DeviceBuffer midpoints) {
        return new DeviceCodebook(Checks.notNull("codebook", codebook), Checks.notNull("values", values),
                Checks.notNull("midpoints", midpoints));
    }

    public Codebook codebook() { return codebook; }

    /** Number of values (codes), 2..256. */
    public int size() { return codebook.size(); }

    int midpointCount() { return codebook.size() - 1; }

    public boolean isClosed() { return values.isClosed(); }

    void ensureOpen(String name) {
        if (isClosed()) throw new IllegalStateException(name + ": DeviceCodebook (" + codebook.name() + ") is closed");
    }

    @Override
    public void close() {
        try {
            values.close();
        } finally {
            midpoints.close();
        }
    }
}
