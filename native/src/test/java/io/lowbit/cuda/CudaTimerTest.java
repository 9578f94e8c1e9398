package io.lowbit.cuda;

import io.lowbit.backend.BackendUnavailableException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CudaTimer: where the library is built but no GPU is usable (CI), every call fails with a
 * CudaException naming the CUDA call; on a GPU machine, real timings and copies.
 */
class CudaTimerTest {

    private static boolean deviceUsable() {
        NativeTestSupport.assumeLibrary();
        try {
            CudaDevice.probe();
            return true;
        } catch (BackendUnavailableException e) {
            return false;
        }
    }

    @Test
    void withoutADeviceEveryCallNamesTheCudaCall() {
        if (deviceUsable()) return;   // covered by timesAndCopiesOnADevice
        CudaException e = assertThrows(CudaException.class, CudaTimer::create);
        assertTrue(e.getMessage().startsWith("cudaEventCreate failed: "), e.getMessage());
        assertTrue(e.error() != 0);
        CudaException m = assertThrows(CudaException.class, CudaTimer::memoryInfo);
        assertTrue(m.getMessage().startsWith("cudaMemGetInfo failed: "), m.getMessage());
    }

    @Test
    void copyChecksItsArgumentsBeforeAnyCudaCall() {
        NativeTestSupport.assumeLibrary();
        try (DeviceBuffer empty = DeviceBuffer.floats(0); DeviceBuffer other = DeviceBuffer.bytes(0)) {
            CudaTimer.copyDeviceToDevice(empty, other, 0);   // nothing to copy: no CUDA call
            IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                    () -> CudaTimer.copyDeviceToDevice(empty, other, 1));
            assertTrue(tooMany.getMessage().startsWith("bytes must be in 0..min(src, dst size) = 0..0"), tooMany.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CudaTimer.copyDeviceToDevice(empty, other, -1));
            assertThrows(IllegalArgumentException.class, () -> CudaTimer.copyDeviceToDevice(null, other, 0));
            empty.close();
            assertThrows(IllegalStateException.class, () -> CudaTimer.copyDeviceToDevice(empty, other, 0));
        }
    }

    @Test
    void timesAndCopiesOnADevice() {
        NativeTestSupport.assumeDevice();
        int n = 1 << 22;
        float[] host = new float[n];
        for (int i = 0; i < n; i++) host[i] = i * 0.25f - 7;
        try (DeviceBuffer src = DeviceBuffer.of(host); DeviceBuffer dst = DeviceBuffer.floats(n);
             CudaTimer timer = CudaTimer.onStreamOf(src)) {
            assertThrows(IllegalStateException.class, timer::elapsedMillis);
            assertThrows(IllegalStateException.class, timer::stop);
            double ms = timer.time(() -> CudaTimer.copyDeviceToDevice(src, dst, 4L * n));
            assertTrue(ms > 0 && Double.isFinite(ms), "elapsed " + ms);
            CudaTimer.synchronize(src);
            float[] back = new float[n];
            dst.copyTo(back);
            assertArrayEquals(host, back);
            long[] mem = CudaTimer.memoryInfo();
            assertTrue(mem[0] > 0 && mem[0] <= mem[1], mem[0] + " of " + mem[1]);
            timer.close();
            assertTrue(timer.isClosed());
            assertThrows(IllegalStateException.class, timer::start);
            timer.close();   // idempotent
            assertEquals(n, dst.length());
        }
    }
}
