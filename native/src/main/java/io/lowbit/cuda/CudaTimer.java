package io.lowbit.cuda;

import io.lowbit.Checks;

/**
 * Times work on the GPU with a pair of CUDA events recorded on one stream: the elapsed time is
 * measured by the device between the two records (about 0.5 us resolution), so host-side
 * overhead between them counts only where it leaves the stream idle.
 *
 * <pre>{@code
 * try (CudaTimer t = CudaTimer.onStreamOf(x)) {
 *     double ms = t.time(() -> CudaKernels.encode(E4M3, options, x, codes, n));
 * }
 * }</pre>
 *
 * <p>Every CUDA failure is a {@link CudaException} naming the runtime call; misuse (a closed
 * timer, {@link #elapsedMillis()} before {@link #start()} and {@link #stop()}) is an
 * {@link IllegalStateException}. Not thread-safe.
 */
public final class CudaTimer implements AutoCloseable {
    private final long stream;
    private final long startEvent;
    private final long stopEvent;
    private boolean started;
    private boolean stopped;
    private boolean closed;

    private CudaTimer(long stream, long startEvent, long stopEvent) {
        this.stream = stream;
        this.startEvent = startEvent;
        this.stopEvent = stopEvent;
    }

    /** A timer on the default stream (where {@link DeviceBuffer#allocate} buffers launch). */
    public static CudaTimer create() { return onStream(0); }

    /** A timer on the stream {@code buffer}'s kernels launch on. */
    public static CudaTimer onStreamOf(DeviceBuffer buffer) {
        Checks.notNull("buffer", buffer);
        return onStream(buffer.stream());
    }

    private static CudaTimer onStream(long stream) {
        NativeLibrary.require();
        long start = createEvent();
        long stop;
        try {
            stop = createEvent();
        } catch (CudaException e) {
            LowbitCuda.lb_event_destroy(start);   // the first event must not leak
            throw e;
        }
        return new CudaTimer(stream, start, stop);
    }

    private static long createEvent() {
        long[] event = new long[1];
        CudaException.check(LowbitCuda.lb_event_create(event), "cudaEventCreate");
        return event[0];
    }

    /** Records the start event on the stream. */
    public void start() {
        ensureOpen();
        CudaException.check(LowbitCuda.lb_event_record(startEvent, stream), "cudaEventRecord (start)");
        started = true;
        stopped = false;
    }

    /** Records the stop event on the stream (after {@link #start()}). */
    public void stop() {
        ensureOpen();
        if (!started) throw new IllegalStateException("CudaTimer.stop() called before start()");
        CudaException.check(LowbitCuda.lb_event_record(stopEvent, stream), "cudaEventRecord (stop)");
        stopped = true;
    }

    /** Waits for the stop event, then returns the milliseconds between start and stop. */
    public double elapsedMillis() {
        ensureOpen();
        if (!stopped) throw new IllegalStateException("CudaTimer.elapsedMillis() needs start() and stop() first");
        CudaException.check(LowbitCuda.lb_event_synchronize(stopEvent), "cudaEventSynchronize");
        float[] ms = new float[1];
        CudaException.check(LowbitCuda.lb_event_elapsed_ms(ms, startEvent, stopEvent), "cudaEventElapsedTime");
        return ms[0];
    }

    /** start(), {@code region}, stop(): the device milliseconds the region took. */
    public double time(Runnable region) {
        Checks.notNull("region", region);
        start();
        region.run();
        stop();
        return elapsedMillis();
    }

    /**
     * Starts copying the first {@code bytes} bytes of {@code src} to {@code dst} on {@code src}'s
     * stream and returns at once (cudaMemcpyAsync device to device): time it with a timer on that
     * stream. The copy moves {@code 2 * bytes} bytes (read + written).
     */
    public static void copyDeviceToDevice(DeviceBuffer src, DeviceBuffer dst, long bytes) {
        Checks.notNull("src", src);
        Checks.notNull("dst", dst);
        src.ensureOpen();
        dst.ensureOpen();
        if (bytes < 0 || bytes > src.byteSize() || bytes > dst.byteSize()) {
            throw new IllegalArgumentException("bytes must be in 0..min(src, dst size) = 0.."
                    + Math.min(src.byteSize(), dst.byteSize()) + ", got " + bytes);
        }
        if (bytes == 0) return;
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_copy_device_to_device(dst.address(), src.address(), bytes, src.stream()),
                "cudaMemcpyAsync device to device of " + bytes + " bytes");
    }

    /** Waits until everything queued on {@code buffer}'s stream has run. */
    public static void synchronize(DeviceBuffer buffer) {
        Checks.notNull("buffer", buffer);
        NativeLibrary.require();
        CudaException.check(LowbitCuda.lb_stream_synchronize(buffer.stream()), "cudaStreamSynchronize");
    }

    /** {free, total} device memory in bytes (cudaMemGetInfo). */
    public static long[] memoryInfo() {
        NativeLibrary.require();
        long[] freeAndTotal = new long[2];
        CudaException.check(LowbitCuda.lb_mem_info(freeAndTotal), "cudaMemGetInfo");
        return freeAndTotal;
    }

    public boolean isClosed() { return closed; }

    /** Destroys both events (once; later calls do nothing). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        int a = LowbitCuda.lb_event_destroy(startEvent);
        int b = LowbitCuda.lb_event_destroy(stopEvent);
        CudaException.check(a, "cudaEventDestroy (start)");
        CudaException.check(b, "cudaEventDestroy (stop)");
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("CudaTimer is closed");
    }
}
