package io.lowbit.cuda;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.BackendUnavailableException;
import io.lowbit.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The actual kernels on a GPU against the scalar reference, bit for bit. Skips with
 * "no CUDA device" where there is none (CI); run on a GPU machine.
 */
class CudaDeviceKernelsTest {
    private static final int[] LENGTHS = {0, 1, 2, 3, 4, 5, 7, 255, 256, 257, 1023, 100_003, 1 << 20};
    private Backend cuda;
    private final Backend scalar = ScalarBackend.INSTANCE;

    @BeforeEach
    void device() throws BackendUnavailableException {
        NativeTestSupport.assumeDevice();
        cuda = new CudaBackendProvider().create();
    }

    @Test
    void castsMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(3);
        RandomStream[] streams = {RandomStream.of(17), new RandomStream(-9, -2L, 1)};
        for (ElementFormat f : ElementFormat.values()) {
            for (int n : LENGTHS) {
                float[] x = HostCastCheckTest.inputs(f, rnd, n);
                for (RandomStream s : streams) {
                    for (CastOptions o : new CastOptions[] {CastOptions.RNE, CastOptions.RNE_SATURATE,
                            CastOptions.stochastic(s, false), CastOptions.stochastic(s, true)}) {
                        String what = f + " n=" + n + " " + o;
                        if (f.isWide()) {
                            short[] want = new short[n], got = new short[n];
                            scalar.casts().encode16(f, o, x, want, n);
                            cuda.casts().encode16(f, o, x, got, n);
                            assertArrayEquals(want, got, what);
                            float[] dw = new float[n], dg = new float[n];
                            scalar.casts().decode16(f, want, dw, n);
                            cuda.casts().decode16(f, want, dg, n);
                            assertArrayEquals(bits(dw), bits(dg), what + " decode");
                        } else {
                            byte[] want = new byte[n], got = new byte[n];
                            scalar.casts().encode(f, o, x, want, n);
                            cuda.casts().encode(f, o, x, got, n);
                            assertArrayEquals(want, got, what);
                            float[] dw = new float[n], dg = new float[n];
                            scalar.casts().decode(f, want, dw, n);
                            cuda.casts().decode(f, want, dg, n);
                            assertArrayEquals(bits(dw), bits(dg), what + " decode");
                        }
                        if (f == ElementFormat.E2M1) {
                            byte[] want = new byte[(n + 1) / 2], got = new byte[(n + 1) / 2];
                            scalar.casts().encodePackedE2M1(o, x, want, n);
                            cuda.casts().encodePackedE2M1(o, x, got, n);
                            assertArrayEquals(want, got, what + " packed");
                        }
                    }
                }
            }
        }
    }

    @Test
    void randomMatchesTheReference() {
        for (int n : LENGTHS) {
            for (RandomStream s : new RandomStream[] {RandomStream.of(0), new RandomStream(5, -1L, 3), new RandomStream(-1, -7L, -1)}) {
                int[] want = new int[n], got = new int[n];
                scalar.random().words(s, want, n);
                cuda.random().words(s, got, n);
                assertArrayEquals(want, got, s + " n=" + n);
            }
            SplittableRandom rnd = new SplittableRandom(n);
            int[] key = rnd.ints(2L * n).toArray(), counter = rnd.ints(4L * n).toArray();
            int[] want = new int[4 * n], got = new int[4 * n];
            scalar.random().philox(key, counter, want, n);
            cuda.random().philox(key, counter, got, n);
            assertArrayEquals(want, got, "philox m=" + n);
        }
    }

    @Test
    void mxMatchesTheReference() {
        SplittableRandom rnd = new SplittableRandom(8);
        int[][] shapes = {{1, 1}, {3, 37}, {64, 96}, {257, 129}};
        for (ElementFormat elem : new ElementFormat[] {ElementFormat.E2M1, ElementFormat.E4M3, ElementFormat.E5M2,
                ElementFormat.E3M2, ElementFormat.E2M3, ElementFormat.INT8}) {
            for (io.lowbit.mx.ScaleMode mode : io.lowbit.mx.ScaleMode.values()) {
                if (mode == io.lowbit.mx.ScaleMode.EVEN && elem == ElementFormat.INT8) continue;
                for (int[] shape : shapes) {
                    int rows = shape[0], cols = shape[1], n = rows * cols;
                    float[] x = new float[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = Float.intBitsToFloat((rnd.nextInt() & 0x807FFFFF) | ((127 + rnd.nextInt(-30, 30)) << 23));
                    }
                    if (n > 40) x[40] = Float.NaN;
                    for (int axis : new int[] {-1, 0}) {
                        for (RandomStream random : new RandomStream[] {null, new RandomStream(3, -1L, 1)}) {
                            int blocks = axis == 0 ? ((rows + 31) / 32) * cols : rows * ((cols + 31) / 32);
                            byte[] ws = new byte[blocks], wc = new byte[n], wm = new byte[n], gs = new byte[blocks],
                                    gc = new byte[n], gm = new byte[n];
                            float[] wd = new float[n], gd = new float[n];
                            long want = scalar.mx().quantizeMx(elem, 32, axis, mode, random, x, rows, cols, ws, wc, wd, wm);
                            long got = cuda.mx().quantizeMx(elem, 32, axis, mode, random, x, rows, cols, gs, gc, gd, gm);
                            String what = elem + " " + mode + " " + rows + "x" + cols + " axis " + axis + " " + random;
                            assertEquals(want, got, what);
                            assertArrayEquals(ws, gs, what);
                            assertArrayEquals(wc, gc, what);
                            assertArrayEquals(bits(wd), bits(gd), what);
                            assertArrayEquals(wm, gm, what);
                            float[] wo = new float[n], go = new float[n];
                            scalar.mx().dequantizeMx(elem, 32, axis, ws, wc, rows, cols, wo);
                            cuda.mx().dequantizeMx(elem, 32, axis, ws, wc, rows, cols, go);
                            assertArrayEquals(bits(wo), bits(go), what + " dequantize");
                        }
                    }
                }
            }
        }
    }

    @Test
    void deviceBuffersRoundTripArraysAndDirectBuffers() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] x = new float[1001];
        for (int i = 0; i < x.length; i++) x[i] = Float.intBitsToFloat(rnd.nextInt());
        try (DeviceBuffer d = DeviceBuffer.of(x)) {
            float[] back = new float[x.length];
            d.copyTo(back);
            assertArrayEquals(x, back);
            // direct buffers honour their position
            FloatBuffer direct = ByteBuffer.allocateDirect(4 * 1010).order(ByteOrder.nativeOrder()).asFloatBuffer();
            direct.position(9);
            d.copyTo(direct);
            for (int i = 0; i < x.length; i++) assertEquals(x[i], direct.get(9 + i));
            direct.position(9);
            try (DeviceBuffer e = DeviceBuffer.floats(x.length)) {
                e.copyFrom(direct);
                float[] again = new float[x.length];
                e.copyTo(again);
                assertArrayEquals(x, again);
            }
        }
    }

    @Test
    void outOfMemoryIsAnException() {
        CudaException e = assertThrows(CudaException.class, () -> DeviceBuffer.bytes(1L << 50));
        assertTrue(e.getMessage().contains("cudaMalloc of " + (1L << 50) + " bytes failed"), e.getMessage());
        assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
        // the device is still usable afterwards, and the next kernel is not blamed for the failure
        try (DeviceBuffer ok = DeviceBuffer.floats(16); DeviceBuffer codes = DeviceBuffer.bytes(16)) {
            ok.copyFrom(new float[16]);
            CudaKernels.encode(ElementFormat.E4M3, CastOptions.RNE, ok, codes, 16);
        }
    }

    @Test
    void kernelsOnWrappedMemoryDoNotCopyToHost() {
        float[] x = {0.3f, -1.7f, 500f, Float.NaN, 6.5f};
        try (DeviceBuffer dx = DeviceBuffer.of(x); DeviceBuffer owner = DeviceBuffer.bytes(x.length)) {
            DeviceBuffer codes = DeviceBuffer.wrap(owner.pointer(), owner.byteSize(), null);
            CudaKernels.encode(ElementFormat.E4M3, CastOptions.RNE_SATURATE, dx, codes, x.length);
            byte[] got = new byte[x.length], want = new byte[x.length];
            owner.copyTo(got);
            scalar.casts().encode(ElementFormat.E4M3, CastOptions.RNE_SATURATE, x, want, x.length);
            assertArrayEquals(want, got);
            codes.close();
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
