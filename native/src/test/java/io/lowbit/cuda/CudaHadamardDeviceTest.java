package io.lowbit.cuda;

import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.scalar.ScalarBackend;
import io.lowbit.hadamard.Hadamard;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The Hadamard kernel on a GPU vs the scalar reference, bit for bit (NaN as any NaN): every n,
 * signs none / given / random (drawn on the device), forward / inverse, normalized or not, in
 * place and out of place, and grids with idle transform groups. Skips with "no CUDA device".
 */
class CudaHadamardDeviceTest {
    private Backend cuda;
    private final Backend scalar = ScalarBackend.INSTANCE;

    @BeforeEach
    void device() throws Exception {
        NativeTestSupport.assumeDevice();
        cuda = new CudaBackendProvider().create();
    }

    @Test
    void hostArraysMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(31);
        for (int n = 2; n <= 32768; n <<= 1) {
            for (int rows : new int[] {1, 5, n <= 512 ? 1000 : 3}) {   // 1000 rows of small n: many CTAs, idle groups
                int cols = n <= 64 ? 3 * n : n;
                float[] x = values(rnd, rows * cols);
                float[] given = new float[n];
                for (int j = 0; j < n; j++) given[j] = rnd.nextBoolean() ? 1f : -1f;
                float[] random = Hadamard.randomSigns(new RandomStream(17, 0, 3), n);
                for (float[] signs : new float[][] {null, given, random}) {
                    for (boolean inverse : new boolean[] {false, true}) {
                        for (boolean normalize : new boolean[] {false, true}) {
                            String what = "n=" + n + " rows=" + rows + (inverse ? " inverse" : "") + (normalize ? " norm" : "")
                                    + (signs == null ? "" : signs == given ? " given" : " random");
                            float[] want = new float[x.length], got = new float[x.length];
                            scalar.hadamard().transform(x, want, rows, cols, n, normalize, inverse, signs);
                            cuda.hadamard().transform(x, got, rows, cols, n, normalize, inverse, signs);
                            assertArrayEquals(HostHadamardCheckTest.bits(want), HostHadamardCheckTest.bits(got), what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void deviceBuffersInPlaceAndRandomSignsDrawnOnTheDevice() {
        SplittableRandom rnd = new SplittableRandom(32);
        RandomStream stream = new RandomStream(-5, 0, 9);
        for (int n : new int[] {2, 16, 256, 512, 4096, 32768}) {
            int rows = 4, cols = 2 * n;
            float[] x = values(rnd, rows * cols);
            float[] signs = Hadamard.randomSigns(stream, n);
            for (boolean inverse : new boolean[] {false, true}) {
                float[] want = new float[x.length];
                scalar.hadamard().transform(x, want, rows, cols, n, true, inverse, signs);
                try (DeviceBuffer d = DeviceBuffer.of(x)) {
                    CudaHadamard.transformRandomSigns(d, d, rows, cols, n, true, inverse, stream);   // in place
                    float[] got = new float[x.length];
                    d.copyTo(got);
                    assertArrayEquals(HostHadamardCheckTest.bits(want), HostHadamardCheckTest.bits(got), "n=" + n);
                }
                try (DeviceBuffer d = DeviceBuffer.of(x); DeviceBuffer out = DeviceBuffer.floats(x.length);
                     DeviceBuffer s = DeviceBuffer.of(signs)) {
                    CudaHadamard.transform(d, out, rows, cols, n, true, inverse, s);
                    float[] got = new float[x.length];
                    out.copyTo(got);
                    assertArrayEquals(HostHadamardCheckTest.bits(want), HostHadamardCheckTest.bits(got), "given n=" + n);
                }
            }
        }
    }

    private static float[] values(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = Float.intBitsToFloat((rnd.nextInt() & 0x807FFFFF) | ((127 + rnd.nextInt(-20, 20)) << 23));
        }
        if (n > 100) {
            x[7] = Float.NaN;
            x[50] = Float.NEGATIVE_INFINITY;
            x[99] = -0f;
        }
        return x;
    }
}
