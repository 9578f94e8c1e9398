package io.lowbit.cuda;

import io.lowbit.Codebook;
import io.lowbit.backend.AdamWScalars;
import io.lowbit.backend.Backend;
import io.lowbit.backend.BackendUnavailableException;
import io.lowbit.backend.LionScalars;
import io.lowbit.backend.SgdScalars;
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
                    if (blockSize % 2 == 0 && book.size() == 16) {  // 4-bit packed
                        byte[] wp = new byte[(n + 1) / 2], gp = new byte[(n + 1) / 2];
                        scalar.blockwise().quantize4(book, blockSize, x, n, wa, wp, 0, blocks);
                        cuda.blockwise().quantize4(book, blockSize, x, n, ga, gp, 0, blocks);
                        assertArrayEquals(bits(wa), bits(ga), what + " 4-bit absmax");
                        assertArrayEquals(wp, gp, what + " 4-bit codes");
                        scalar.blockwise().dequantize4(book, blockSize, wp, wa, n, wo, 0, blocks);
                        cuda.blockwise().dequantize4(book, blockSize, wp, wa, n, go, 0, blocks);
                        assertArrayEquals(bits(wo), bits(go), what + " 4-bit dequantize");
                    }
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
    void adamw4SgdAndLionMatchTheReference() {
        SplittableRandom rnd = new SplittableRandom(9);
        Codebook m4 = Codebook.DYNAMIC_SIGNED_4, v4 = Codebook.LINEAR4, book = Codebook.DYNAMIC_SIGNED;
        for (int blockSize : new int[] {64, 256, 4096}) {
            for (int n : new int[] {1, 1001, 100_003}) {
                int blocks = ceilDiv(n, blockSize), half = (n + 1) / 2;
                float[] p0 = new float[n];
                for (int i = 0; i < n; i++) p0[i] = (float) rnd.nextGaussian();
                float[][] wp = {p0.clone(), p0.clone(), p0.clone()}, gp = {p0.clone(), p0.clone(), p0.clone()};
                byte[] wm4 = new byte[half], wv4 = new byte[half], gm4 = new byte[half], gv4 = new byte[half];
                byte[] wsc = new byte[n], gsc = new byte[n], wlc = new byte[n], glc = new byte[n];
                float[] wa = new float[blocks], wb = new float[blocks], ga = new float[blocks], gb = new float[blocks];
                float[] wsa = new float[blocks], gsa = new float[blocks], wla = new float[blocks], gla = new float[blocks];
                float[] ws32 = new float[n], gs32 = new float[n], wl32 = new float[n], gl32 = new float[n];
                float[] wps = p0.clone(), gps = p0.clone(), wpl = p0.clone(), gpl = p0.clone();
                for (int t = 1; t <= 3; t++) {
                    float[] g = new float[n];
                    for (int i = 0; i < n; i++) g[i] = rnd.nextInt(1000) == 0 ? Float.NaN : (float) rnd.nextGaussian() * 1e-2f;
                    AdamWScalars s = AdamWScalars.of(1e-3, 0.9, 0.999, 1e-8, 0.01, t);
                    SgdScalars sgd = new SgdScalars(0.05f, 0.9f, 1e-3f);
                    LionScalars lion = new LionScalars(1e-3f, 0.9f, 0.1f, 0.99f, 0.01f, 0.9999f);
                    String what = "block " + blockSize + " n=" + n + " step " + t;
                    assertEquals(scalar.blockwise().adamw4(s, m4, v4, blockSize, wp[0], g, wm4, wa, wv4, wb, n, 0, blocks),
                            cuda.blockwise().adamw4(s, m4, v4, blockSize, gp[0], g, gm4, ga, gv4, gb, n, 0, blocks), what);
                    assertArrayEquals(bits(wp[0]), bits(gp[0]), what + " adamw4 p");
                    assertArrayEquals(wm4, gm4, what + " adamw4 m");
                    assertArrayEquals(wv4, gv4, what + " adamw4 v");
                    assertArrayEquals(bits(wb), bits(gb), what + " adamw4 v absmax");
                    assertEquals(scalar.blockwise().sgd8(sgd, book, blockSize, wp[1], g, wsc, wsa, n, 0, blocks),
                            cuda.blockwise().sgd8(sgd, book, blockSize, gp[1], g, gsc, gsa, n, 0, blocks), what);
                    assertArrayEquals(bits(wp[1]), bits(gp[1]), what + " sgd8 p");
                    assertArrayEquals(wsc, gsc, what + " sgd8 codes");
                    assertArrayEquals(bits(wsa), bits(gsa), what + " sgd8 absmax");
                    assertEquals(scalar.blockwise().lion8(lion, book, blockSize, wp[2], g, wlc, wla, n, 0, blocks),
                            cuda.blockwise().lion8(lion, book, blockSize, gp[2], g, glc, gla, n, 0, blocks), what);
                    assertArrayEquals(bits(wp[2]), bits(gp[2]), what + " lion8 p");
                    assertArrayEquals(wlc, glc, what + " lion8 codes");
                    assertArrayEquals(bits(wla), bits(gla), what + " lion8 absmax");
                    assertEquals(scalar.blockwise().sgd32(sgd, wps, g, ws32, 0, n), cuda.blockwise().sgd32(sgd, gps, g, gs32, 0, n));
                    assertArrayEquals(bits(wps), bits(gps), what + " sgd32 p");
                    assertArrayEquals(bits(ws32), bits(gs32), what + " sgd32 buf");
                    assertEquals(scalar.blockwise().lion32(lion, wpl, g, wl32, 0, n), cuda.blockwise().lion32(lion, gpl, g, gl32, 0, n));
                    assertArrayEquals(bits(wpl), bits(gpl), what + " lion32 p");
                    assertArrayEquals(bits(wl32), bits(gl32), what + " lion32 m");
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
