package io.lowbit.cuda;

import io.lowbit.RandomStream;
import io.lowbit.backend.RandomKernels;

/** The Philox stream on the GPU, host arrays in and out. */
final class CudaRandom implements RandomKernels {

    @Override
    public void words(RandomStream stream, int[] words, int count) {
        if (count == 0) return;
        try (DeviceBuffer dw = DeviceBuffer.ints(count)) {
            CudaKernels.randomWords(stream, dw, count);
            dw.copyTo(0, words, 0, count);
        }
    }

    @Override
    public void philox(int[] key, int[] counter, int[] out, int m) {
        if (m == 0) return;
        try (DeviceBuffer dk = DeviceBuffer.ints(2L * m); DeviceBuffer dc = DeviceBuffer.ints(4L * m);
             DeviceBuffer dout = DeviceBuffer.ints(4L * m)) {
            dk.copyFrom(key, 0, 0, 2 * m);
            dc.copyFrom(counter, 0, 0, 4 * m);
            CudaKernels.philox(dk, dc, dout, m);
            dout.copyTo(0, out, 0, 4 * m);
        }
    }
}
