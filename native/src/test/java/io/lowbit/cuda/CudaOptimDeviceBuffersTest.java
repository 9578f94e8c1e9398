package io.lowbit.cuda;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.backend.scalar.ScalarBackend;
import io.lowbit.backend.scalar.ScalarQat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.lowbit.cuda.HostBlockwiseCheckTest.bits;
import static io.lowbit.cuda.HostBlockwiseCheckTest.ceilDiv;
import static io.lowbit.cuda.HostBlockwiseCheckTest.inputs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The device-buffer entry points of the blockwise, AdamW 8-bit and LSQ kernels ({@link CudaKernels},
 * {@link DeviceCodebook}) against the scalar backend, bit for bit. Skips with "no CUDA device".
 */
class CudaOptimDeviceBuffersTest {
    private final Backend scalar = ScalarBackend.INSTANCE;

    @BeforeEach
    void device() {
        NativeTestSupport.assumeDevice();
    }

    @Test
    void blockwiseQuantizeAndDequantizeOnDeviceBuffers() {
        SplittableRandom rnd = new SplittableRandom(41);
        for (Codebook book : new Codebook[] {Codebook.DYNAMIC_SIGNED, Codebook.NF4}) {
            for (int blockSize : new int[] {64, 256, 4096}) {
                for (int n : new int[] {0, 1, 257, 100_003}) {
                    float[] x = inputs(rnd, n, blockSize);
                    int blocks = ceilDiv(n, blockSize);
                    boolean packed = book.size() == 16;
                    int codeBytes = packed ? (n + 1) / 2 : n;
                    String what = book.name() + " block " + blockSize + " n=" + n;
                    float[] wantAbsmax = new float[blocks];
                    byte[] wantCodes = new byte[codeBytes];
                    float[] wantOut = new float[n];
                    if (packed) {
                        scalar.blockwise().quantize4(book, blockSize, x, n, wantAbsmax, wantCodes, 0, blocks);
                        scalar.blockwise().dequantize4(book, blockSize, wantCodes, wantAbsmax, n, wantOut, 0, blocks);
                    } else {
                        scalar.blockwise().quantize(book, blockSize, x, n, wantAbsmax, wantCodes, 0, blocks);
                        scalar.blockwise().dequantize(book, blockSize, wantCodes, wantAbsmax, n, wantOut, 0, blocks);
                    }
                    try (DeviceCodebook db = DeviceCodebook.of(book); DeviceBuffer dx = DeviceBuffer.of(x);
                         DeviceBuffer da = DeviceBuffer.floats(blocks); DeviceBuffer dc = DeviceBuffer.bytes(codeBytes);
                         DeviceBuffer dout = DeviceBuffer.floats(n)) {
                        if (packed) {
                            dc.copyFrom(new byte[codeBytes]);   // a lone last nibble's neighbour is kept: start from 0 as the reference
                            CudaKernels.blockwiseQuantize4(db, blockSize, dx, n, da, dc);
                            CudaKernels.blockwiseDequantize4(db, blockSize, dc, da, n, dout);
                        } else {
                            CudaKernels.blockwiseQuantize(db, blockSize, dx, n, da, dc);
                            CudaKernels.blockwiseDequantize(db, blockSize, dc, da, n, dout);
                        }
                        float[] absmax = new float[blocks], out = new float[n];
                        byte[] codes = new byte[codeBytes];
                        da.copyTo(absmax);
                        dc.copyTo(codes);
                        dout.copyTo(out);
                        assertArrayEquals(bits(wantAbsmax), bits(absmax), what + " absmax");
                        assertArrayEquals(wantCodes, codes, what + " codes");
                        assertArrayEquals(bits(wantOut), bits(out), what + " dequantized");
                    }
                }
            }
        }
    }

    @Test
    void adamw8StepsOnDeviceBuffers() {
        SplittableRandom rnd = new SplittableRandom(42);
        Codebook mBook = Codebook.DYNAMIC_SIGNED, vBook = Codebook.DYNAMIC_UNSIGNED;
        for (int blockSize : new int[] {256, 4096}) {
            for (int n : new int[] {1, 1000, 100_003}) {
                int blocks = ceilDiv(n, blockSize);
                float[] p = new float[n];
                for (int i = 0; i < n; i++) p[i] = (float) rnd.nextGaussian();
                byte[] mc = new byte[n], vc = new byte[n];
                float[] ma = new float[blocks], va = new float[blocks];
                try (DeviceCodebook dm = DeviceCodebook.of(mBook); DeviceCodebook dv = DeviceCodebook.of(vBook);
                     DeviceBuffer dp = DeviceBuffer.of(p); DeviceBuffer dg = DeviceBuffer.floats(n);
                     DeviceBuffer dmc = DeviceBuffer.of(mc); DeviceBuffer dvc = DeviceBuffer.of(vc);
                     DeviceBuffer dma = DeviceBuffer.of(ma); DeviceBuffer dva = DeviceBuffer.of(va)) {
                    for (int t = 1; t <= 3; t++) {
                        float[] g = new float[n];
                        for (int i = 0; i < n; i++) {
                            g[i] = rnd.nextInt(1000) == 0 ? Float.NaN : (float) rnd.nextGaussian() * 1e-2f;
                        }
                        AdamWScalars s = AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, t);
                        String what = "block " + blockSize + " n=" + n + " step " + t;
                        int want = scalar.blockwise().adamw8(s, mBook, vBook, blockSize, p, g, mc, ma, vc, va, n, 0, blocks);
                        dg.copyFrom(g);
                        assertEquals(want, CudaKernels.adamw8(s, dm, dv, blockSize, dp, dg, dmc, dma, dvc, dva, n),
                                what + " non-finite count");
                        float[] gotP = new float[n], gotMa = new float[blocks], gotVa = new float[blocks];
                        byte[] gotMc = new byte[n], gotVc = new byte[n];
                        dp.copyTo(gotP);
                        dmc.copyTo(gotMc);
                        dvc.copyTo(gotVc);
                        dma.copyTo(gotMa);
                        dva.copyTo(gotVa);
                        assertArrayEquals(bits(p), bits(gotP), what + " p");
                        assertArrayEquals(mc, gotMc, what + " m codes");
                        assertArrayEquals(vc, gotVc, what + " v codes");
                        assertArrayEquals(bits(ma), bits(gotMa), what + " m absmax");
                        assertArrayEquals(bits(va), bits(gotVa), what + " v absmax");
                    }
                }
            }
        }
    }

    @Test
    void lsqForwardAndBackwardOnDeviceBuffers() {
        SplittableRandom rnd = new SplittableRandom(43);
        int[][] layouts = {{1, 100_003, 100_003}, {64, 1000, 1000}, {37, 129, 32}};   // {rows, cols, group}
        for (int[] l : layouts) {
            for (boolean plus : new boolean[] {false, true}) {
                int rows = l[0], cols = l[1], group = l[2], n = rows * cols;
                int qn = ScalarQat.gridQn(4, true), qp = ScalarQat.gridQp(4, true);
                int segments = ScalarQat.segmentCount(rows, cols, group);
                float[] scales = new float[segments], offsets = plus ? new float[segments] : null;
                for (int k = 0; k < segments; k++) {
                    scales[k] = 0.01f + rnd.nextFloat();
                    if (plus) offsets[k] = (float) rnd.nextGaussian() * 0.1f;
                }
                float[] x = new float[n], g = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (float) rnd.nextGaussian() * qp * 0.5f;
                    g[i] = (float) rnd.nextGaussian();
                }
                String what = rows + "x" + cols + " group " + group + (plus ? " LSQ+" : "");
                float[] wq = new float[n], wdx = new float[n], wds = new float[segments];
                float[] wdo = plus ? new float[segments] : null;
                scalar.qat().lsqForward(x, rows, cols, group, scales, offsets, qn, qp, wq);
                scalar.qat().lsqBackward(x, g, rows, cols, group, scales, offsets, qn, qp, wdx, wds, wdo);
                try (DeviceBuffer dx = DeviceBuffer.of(x); DeviceBuffer dg = DeviceBuffer.of(g);
                     DeviceBuffer ds = DeviceBuffer.of(scales); DeviceBuffer doff = plus ? DeviceBuffer.of(offsets) : null;
                     DeviceBuffer dq = DeviceBuffer.floats(n); DeviceBuffer ddx = DeviceBuffer.floats(n);
                     DeviceBuffer dds = DeviceBuffer.floats(segments);
                     DeviceBuffer ddo = plus ? DeviceBuffer.floats(segments) : null) {
                    CudaKernels.lsqForward(dx, rows, cols, group, ds, doff, qn, qp, dq);
                    CudaKernels.lsqBackward(dx, dg, rows, cols, group, ds, doff, qn, qp, ddx, dds, ddo);
                    float[] q = new float[n], gdx = new float[n], gds = new float[segments];
                    dq.copyTo(q);
                    ddx.copyTo(gdx);
                    dds.copyTo(gds);
                    assertArrayEquals(bits(wq), bits(q), what + " forward");
                    assertArrayEquals(bits(wdx), bits(gdx), what + " dx");
                    assertArrayEquals(bits(wds), bits(gds), what + " ds");
                    if (plus) {
                        float[] gdo = new float[segments];
                        ddo.copyTo(gdo);
                        assertArrayEquals(bits(wdo), bits(gdo), what + " dOffsets");
                    }
                }
            }
        }
    }
}
