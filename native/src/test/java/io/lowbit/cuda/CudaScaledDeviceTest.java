package io.lowbit.cuda;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.Backend;
import io.lowbit.backend.scalar.ScalarBackend;
import io.lowbit.backend.scalar.ScalarCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scaled (NVFP4 / UE5M3) quantization kernels on a GPU vs ScalarMx, bit for bit, float32 and
 * bfloat16 inputs. Skips with "no CUDA device".
 */
class CudaScaledDeviceTest {
    private Backend cuda;
    private final Backend scalar = ScalarBackend.INSTANCE;

    @BeforeEach
    void device() throws Exception {
        NativeTestSupport.assumeDevice();
        cuda = new CudaBackendProvider().create();
    }

    @Test
    void matchesTheReference() {
        SplittableRandom rnd = new SplittableRandom(41);
        int[][] shapes = {{0, 3}, {1, 1}, {3, 37}, {64, 96}, {257, 129}, {512, 1024}};
        for (int[] shape : shapes) {
            int rows = shape[0], cols = shape[1], n = rows * cols, blocks = rows * ((cols + 15) / 16);
            for (int regime = 0; regime < HostScaledCheckTest.REGIMES; regime++) {
                float[] x = HostScaledCheckTest.inputs(rnd, n, regime);
                for (ElementFormat sf : new ElementFormat[] {ElementFormat.UE4M3, ElementFormat.UE5M3}) {
                    for (boolean tile : new boolean[] {false, true}) {
                        if (tile && (rows % 16 != 0 || cols % 16 != 0)) continue;
                        for (RandomStream random : new RandomStream[] {null, new RandomStream(4, 2, 1)}) {
                            String what = sf + " " + rows + "x" + cols + " regime " + regime + (tile ? " 16x16" : "")
                                    + (random == null ? "" : " sr");
                            byte[] ws = new byte[blocks], wc = new byte[n], wm = new byte[n];
                            byte[] gs = new byte[blocks], gc = new byte[n], gm = new byte[n];
                            float[] wd = new float[n], gd = new float[n], wt = new float[1], gt = new float[1];
                            long want = scalar.mx().quantizeScaled(sf, tile, random, x, rows, cols, ws, wc, wd, wm, wt);
                            long got = cuda.mx().quantizeScaled(sf, tile, random, x, rows, cols, gs, gc, gd, gm, gt);
                            assertEquals(want, got, what);
                            assertEquals(Float.floatToRawIntBits(wt[0]), Float.floatToRawIntBits(gt[0]), what + " decT");
                            assertArrayEquals(ws, gs, what);
                            assertArrayEquals(wc, gc, what);
                            assertArrayEquals(HostScaledCheckTest.rawBits(wd), HostScaledCheckTest.rawBits(gd), what);
                            assertArrayEquals(wm, gm, what);
                            float[] wo = new float[n], go = new float[n];
                            scalar.mx().dequantizeScaled(sf, wt[0], ws, wc, rows, cols, wo);
                            cuda.mx().dequantizeScaled(sf, wt[0], ws, wc, rows, cols, go);
                            assertArrayEquals(HostScaledCheckTest.rawBits(wo), HostScaledCheckTest.rawBits(go), what + " deq");
                        }
                    }
                }
            }
        }
    }

    @Test
    void bfloat16InputOnDeviceBuffers() {
        SplittableRandom rnd = new SplittableRandom(42);
        int rows = 48, cols = 80, n = rows * cols, blocks = rows * 5;
        for (int regime = 0; regime < HostScaledCheckTest.REGIMES; regime++) {
            float[] f = HostScaledCheckTest.inputs(rnd, n, regime);
            short[] codes = new short[n];
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                codes[i] = (short) (Float.floatToRawIntBits(f[i]) >>> 16);
                x[i] = ScalarCodec.decode(ElementFormat.BF16, codes[i] & 0xFFFF);
            }
            for (boolean tile : new boolean[] {false, true}) {
                byte[] ws = new byte[blocks], wc = new byte[n], wm = new byte[n];
                float[] wd = new float[n], wt = new float[1];
                long want = scalar.mx().quantizeScaled(ElementFormat.UE4M3, tile, null, x, rows, cols, ws, wc, wd, wm, wt);
                try (DeviceBuffer dx = DeviceBuffer.of(codes); DeviceBuffer ds = DeviceBuffer.bytes(blocks);
                     DeviceBuffer dc = DeviceBuffer.bytes(n); DeviceBuffer dd = DeviceBuffer.floats(n);
                     DeviceBuffer dm = DeviceBuffer.bytes(n); DeviceBuffer dt = DeviceBuffer.floats(1)) {
                    long got = CudaScaled.quantize(ElementFormat.UE4M3, tile, null, dx, rows, cols, ds, dc, dd, dm, dt);
                    String what = "bf16 regime " + regime + (tile ? " 16x16" : "");
                    assertEquals(want, got, what);
                    byte[] gs = new byte[blocks], gc = new byte[n], gm = new byte[n];
                    float[] gd = new float[n], gt = new float[1];
                    ds.copyTo(gs);
                    dc.copyTo(gc);
                    dd.copyTo(gd);
                    dm.copyTo(gm);
                    dt.copyTo(gt);
                    assertEquals(Float.floatToRawIntBits(wt[0]), Float.floatToRawIntBits(gt[0]), what + " decT");
                    assertArrayEquals(ws, gs, what);
                    assertArrayEquals(wc, gc, what);
                    assertArrayEquals(HostScaledCheckTest.rawBits(wd), HostScaledCheckTest.rawBits(gd), what);
                    assertArrayEquals(wm, gm, what);
                }
            }
        }
    }

    @Test
    void bfloat16MxMatchesTheReferenceOnDecodedValues() {
        SplittableRandom rnd = new SplittableRandom(43);
        int rows = 37, cols = 70, n = rows * cols;
        for (int regime = 0; regime < HostScaledCheckTest.REGIMES; regime++) {
            float[] f = HostScaledCheckTest.inputs(rnd, n, regime);
            short[] codes = new short[n];
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                codes[i] = (short) (Float.floatToRawIntBits(f[i]) >>> 16);
                x[i] = ScalarCodec.decode(ElementFormat.BF16, codes[i] & 0xFFFF);
            }
            for (int axis : new int[] {-1, 0}) {
                int blocks = axis == 0 ? ((rows + 31) / 32) * cols : rows * ((cols + 31) / 32);
                byte[] ws = new byte[blocks], wc = new byte[n], wm = new byte[n];
                float[] wd = new float[n];
                RandomStream random = new RandomStream(8, 0, 0);
                long want = scalar.mx().quantizeMx(ElementFormat.E2M1, 32, axis, io.lowbit.mx.ScaleMode.FLOOR, random, x,
                        rows, cols, ws, wc, wd, wm);
                try (DeviceBuffer dx = DeviceBuffer.of(codes); DeviceBuffer ds = DeviceBuffer.bytes(blocks);
                     DeviceBuffer dc = DeviceBuffer.bytes(n); DeviceBuffer dd = DeviceBuffer.floats(n);
                     DeviceBuffer dm = DeviceBuffer.bytes(n)) {
                    long got = CudaBf16.quantizeMx(ElementFormat.E2M1, 32, axis, io.lowbit.mx.ScaleMode.FLOOR, random, dx,
                            rows, cols, ds, dc, dd, dm);
                    String what = "bf16 mx regime " + regime + " axis " + axis;
                    assertEquals(want, got, what);
                    byte[] gs = new byte[blocks], gc = new byte[n], gm = new byte[n];
                    float[] gd = new float[n];
                    ds.copyTo(gs);
                    dc.copyTo(gc);
                    dd.copyTo(gd);
                    dm.copyTo(gm);
                    assertArrayEquals(ws, gs, what);
                    assertArrayEquals(wc, gc, what);
                    assertArrayEquals(HostScaledCheckTest.rawBits(wd), HostScaledCheckTest.rawBits(gd), what);
                    assertArrayEquals(wm, gm, what);
                }
            }
        }
    }
}
