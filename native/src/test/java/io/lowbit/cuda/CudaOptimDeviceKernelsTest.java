package io.lowbit.cuda;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.backend.BackendUnavailableException;
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
 * The blockwise and LSQ kernels on a GPU against the scalar backend, bit for bit (NaN matches any
 * NaN). Skips with "no CUDA device" where there is none (CI); run on a GPU machine.
 */
class CudaOptimDeviceKernelsTest {
    private Backend cuda;
    private final Backend scalar = ScalarBackend.INSTANCE;

    @BeforeEach
    void device() throws BackendUnavailableException {
        NativeTestSupport.assumeDevice();
        cuda = new CudaBackendProvider().create();
    }

    @Test
    void blockwiseQuantizeMatchesTheReference() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (Codebook book : new Codebook[] {Codebook.DYNAMIC_SIGNED, Codebook.DYNAMIC_UNSIGNED, Codebook.NF4}) {
            for (int blockSize : new int[] {64, 256, 4096, 7}) {
                for (int n : new int[] {1, 255, 257, 100_003, 1 << 20}) {
                    float[] x = inputs(rnd, n, blockSize);
                    int blocks = ceilDiv(n, blockSize);
                    String what = book.name() + " block " + blockSize + " n=" + n;
                    float[] wa = new float[blocks], ga = new float[blocks];
                    byte[] wc = new byte[n], gc = new byte[n];
                    scalar.blockwise().quantize(book, blockSize, x, n, wa, wc, 0, blocks);
                    cuda.blockwise().quantize(book, blockSize, x, n, ga, gc, 0, blocks);
                    assertArrayEquals(bits(wa), bits(ga), what + " absmax");
                    assertArrayEquals(wc, gc, what + " codes");
                    float[] wo = new float[n], go = new float[n];
                    scalar.blockwise().dequantize(book, blockSize, wc, wa, n, wo, 0, blocks);
                    cuda.blockwise().dequantize(book, blockSize, wc, wa, n, go, 0, blocks);
                    assertArrayEquals(bits(wo), bits(go), what + " dequantize");
                    if (blocks > 2) {  // a sub-range of blocks
                        float[] sa = wa.clone();
                        byte[] sc = wc.clone();
                        cuda.blockwise().quantize(book, blockSize, x, n, sa, sc, 1, blocks - 1);
                        assertArrayEquals(bits(wa), bits(sa), what + " sub-range absmax");
                        assertArrayEquals(wc, sc, what + " sub-range codes");
                    }
                }
            }
        }
    }

    @Test
    void adamwStepsMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(6);
        Codebook mBook = Codebook.DYNAMIC_SIGNED, vBook = Codebook.DYNAMIC_UNSIGNED;
        for (int blockSize : new int[] {256, 4096, 7}) {
            for (int n : new int[] {1, 1000, 100_003, 1 << 20}) {
                int blocks = ceilDiv(n, blockSize);
                float[] wp = new float[n];
                for (int i = 0; i < n; i++) wp[i] = (float) rnd.nextGaussian();
                float[] gp = wp.clone(), wp32 = wp.clone(), gp32 = wp.clone();
                byte[] wmc = new byte[n], wvc = new byte[n], gmc = new byte[n], gvc = new byte[n];
                float[] wma = new float[blocks], wva = new float[blocks], gma = new float[blocks], gva = new float[blocks];
                float[] wm = new float[n], wv = new float[n], gm = new float[n], gv = new float[n];
                for (int t = 1; t <= 3; t++) {
                    float[] g = new float[n];
                    for (int i = 0; i < n; i++) {
                        int k = rnd.nextInt(1000);
                        g[i] = k == 0 ? Float.NaN : k == 1 ? Float.NEGATIVE_INFINITY : (float) rnd.nextGaussian() * 1e-2f;
                    }
                    AdamWScalars s = AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, t);
                    String what = "block " + blockSize + " n=" + n + " step " + t;
                    assertEquals(scalar.blockwise().adamw8(s, mBook, vBook, blockSize, wp, g, wmc, wma, wvc, wva, n, 0, blocks),
                            cuda.blockwise().adamw8(s, mBook, vBook, blockSize, gp, g, gmc, gma, gvc, gva, n, 0, blocks),
                            what + " non-finite count");
                    assertArrayEquals(bits(wp), bits(gp), what + " p");
                    assertArrayEquals(wmc, gmc, what + " m codes");
                    assertArrayEquals(wvc, gvc, what + " v codes");
                    assertArrayEquals(bits(wma), bits(gma), what + " m absmax");
                    assertArrayEquals(bits(wva), bits(gva), what + " v absmax");
                    assertEquals(scalar.blockwise().adamw32(s, wp32, g, wm, wv, 0, n),
                            cuda.blockwise().adamw32(s, gp32, g, gm, gv, 0, n), what + " adamw32 non-finite count");
                    assertArrayEquals(bits(wp32), bits(gp32), what + " adamw32 p");
                    assertArrayEquals(bits(wm), bits(gm), what + " adamw32 m");
                    assertArrayEquals(bits(wv), bits(gv), what + " adamw32 v");
                }
            }
        }
    }

    @Test
    void lsqMatchesTheReference() {
        SplittableRandom rnd = new SplittableRandom(12);
        // {rows, cols, group}: per-tensor (large: leaves + tail), per-channel, per-group with a short last segment
        int[][] layouts = {{1, 1, 1}, {1, 100_003, 100_003}, {1, 1 << 20, 1 << 20}, {64, 1000, 1000}, {37, 129, 32},
                {3, 5000, 7}};
        for (int bits : new int[] {2, 4, 8}) {
            for (boolean signed : new boolean[] {true, false}) {
                int qn = ScalarQat.gridQn(bits, signed), qp = ScalarQat.gridQp(bits, signed);
                for (int[] l : layouts) {
                    for (boolean plus : new boolean[] {false, true}) {
                        int rows = l[0], cols = l[1], group = l[2], n = rows * cols;
                        int segments = ScalarQat.segmentCount(rows, cols, group);
                        float[] scales = new float[segments];
                        float[] offsets = plus ? new float[segments] : null;
                        for (int k = 0; k < segments; k++) {
                            scales[k] = 0.01f + rnd.nextFloat();
                            if (plus) offsets[k] = (float) rnd.nextGaussian() * 0.1f;
                        }
                        float[] x = new float[n], g = new float[n];
                        for (int i = 0; i < n; i++) {
                            x[i] = (float) rnd.nextGaussian() * qp * 0.5f;
                            g[i] = (float) rnd.nextGaussian();
                        }
                        String what = bits + " bits " + signed + " " + rows + "x" + cols + " group " + group + (plus ? " LSQ+" : "");
                        float[] wq = new float[n], gq = new float[n];
                        scalar.qat().lsqForward(x, rows, cols, group, scales, offsets, qn, qp, wq);
                        cuda.qat().lsqForward(x, rows, cols, group, scales, offsets, qn, qp, gq);
                        assertArrayEquals(bits(wq), bits(gq), what + " forward");
                        float[] wdx = new float[n], gdx = new float[n], wds = new float[segments], gds = new float[segments];
                        float[] wdo = plus ? new float[segments] : null, gdo = plus ? new float[segments] : null;
                        scalar.qat().lsqBackward(x, g, rows, cols, group, scales, offsets, qn, qp, wdx, wds, wdo);
                        cuda.qat().lsqBackward(x, g, rows, cols, group, scales, offsets, qn, qp, gdx, gds, gdo);
                        assertArrayEquals(bits(wdx), bits(gdx), what + " dx");
                        assertArrayEquals(bits(wds), bits(gds), what + " ds");
                        if (plus) assertArrayEquals(bits(wdo), bits(gdo), what + " dOffsets");
                    }
                }
            }
        }
    }
}
