package io.lowbit.simd;

import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.MxKernels;
import io.lowbit.backend.scalar.ScalarMx;
import io.lowbit.mx.ScaleMode;

/**
 * MX and scaled quantization with the AVX2 kernels of {@code lowbit_cpu_mx.h} on the path
 * {@code Quantizer.quantize} takes for FP4 (packed codes; round to nearest even: MXFP4 blocks
 * along a row or down a column, scaled 1x16 and 16x16 tiles; stochastic rounding: MXFP4 along
 * a row, scaled 1x16), the rows split over threads. Everything else,
 * and any case a kernel declines, goes to the Java kernels it was built on.
 */
final class SimdMx implements MxKernels {
    /** Below this many floats one thread does the whole tensor. */
    private static final long PARALLEL_MIN = 1 << 16;

    private final MxKernels fallback;

    SimdMx(MxKernels fallback) { this.fallback = fallback; }

    @Override
    public void quantizeMxfp4Packed(int blockSize, int axis, ScaleMode mode, RandomStream random,
                                    float[] x, int rows, int cols, byte[] scales, byte[] packedCodes) {
        int m = mode.ordinal();
        boolean done = false;
        if (axis == -1 && random == null) {
            done = SimdThreads.runRanges(rows, cols, PARALLEL_MIN, (p, r0, r1) ->
                    LowbitSimd.lb_cpu_mxfp4_packed(x, cols, (int) r0, (int) r1, blockSize, m, scales, packedCodes) == 0);
        } else if (axis == -1) {   // stochastic rounding
            done = SimdThreads.runRanges(rows, cols, PARALLEL_MIN, (p, r0, r1) ->
                    LowbitSimd.lb_cpu_mxfp4_packed_sr(x, cols, (int) r0, (int) r1, blockSize, m,
                            random.seed(), random.offset(), random.stream(), scales, packedCodes) == 0);
        } else if (axis == 0 && random == null) {
            // strips of blockSize rows (one block of every column), split over threads
            int strips = (rows + blockSize - 1) / blockSize;
            done = SimdThreads.runRanges(strips, (long) blockSize * cols, PARALLEL_MIN, (p, s0, s1) ->
                    LowbitSimd.lb_cpu_mxfp4_packed_axis0(x, rows, cols, (int) s0, (int) s1, blockSize, m,
                            scales, packedCodes) == 0);
        }
        if (!done) fallback.quantizeMxfp4Packed(blockSize, axis, mode, random, x, rows, cols, scales, packedCodes);
    }

    @Override
    public void quantizeScaledPacked(ElementFormat scaleFormat, boolean tile16x16, RandomStream random,
                                     float[] x, int rows, int cols, byte[] scales, byte[] packedCodes,
                                     float[] tensorScale) {
        boolean done = false;
        if (random == null || !tile16x16) {   // stochastic rounding on 16x16 tiles stays in Java
            long n = (long) rows * cols;
            float[] partMax = new float[SimdThreads.parts(n, 1, PARALLEL_MIN)];
            SimdThreads.runRanges(n, 1, PARALLEL_MIN, (p, from, to) -> {
                partMax[p] = LowbitSimd.lb_cpu_abs_max(x, from, to);
                return true;
            });
            float amaxT = 0f;
            for (float v : partMax) amaxT = Math.max(amaxT, v);
            // A NaN or Inf tensor (contract 5's special case) is left to the Java kernels.
            if (Float.isFinite(amaxT)) {
                float encT = ScalarMx.tensorEncodeScale(scaleFormat, amaxT);
                float decT = 1f / encT;
                int sf = scaleFormat == ElementFormat.UE4M3 ? 0 : 1;
                if (random != null) {
                    done = SimdThreads.runRanges(rows, cols, PARALLEL_MIN, (p, r0, r1) ->
                            LowbitSimd.lb_cpu_scaled_packed_sr(x, cols, (int) r0, (int) r1, sf, encT, decT,
                                    random.seed(), random.offset(), random.stream(), scales, packedCodes) == 0);
                } else if (tile16x16) {   // parts of whole tile rows (rows is a multiple of 16: checked by the API)
                    done = SimdThreads.runRanges(rows / 16, 16L * cols, PARALLEL_MIN, (p, t0, t1) ->
                            LowbitSimd.lb_cpu_scaled_packed_tiles(x, cols, 16 * (int) t0, 16 * (int) t1, sf, encT, decT,
                                    scales, packedCodes) == 0);
                } else {
                    done = SimdThreads.runRanges(rows, cols, PARALLEL_MIN, (p, r0, r1) ->
                            LowbitSimd.lb_cpu_scaled_packed(x, cols, (int) r0, (int) r1, sf, encT, decT,
                                    scales, packedCodes) == 0);
                }
                if (done) tensorScale[0] = decT;
            }
        }
        if (!done) {
            fallback.quantizeScaledPacked(scaleFormat, tile16x16, random, x, rows, cols, scales, packedCodes, tensorScale);
        }
    }

    // ---- the rest: the Java kernels ----

    @Override
    public long quantizeMx(ElementFormat elem, int blockSize, int axis, ScaleMode mode, RandomStream random,
                           float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                           byte[] clipMask) {
        return fallback.quantizeMx(elem, blockSize, axis, mode, random, x, rows, cols, scales, codes, dequantized, clipMask);
    }

    @Override
    public void dequantizeMx(ElementFormat elem, int blockSize, int axis, byte[] scales, byte[] codes,
                             int rows, int cols, float[] out) {
        fallback.dequantizeMx(elem, blockSize, axis, scales, codes, rows, cols, out);
    }

    @Override
    public long quantizeScaled(ElementFormat scaleFormat, boolean tile16x16, RandomStream random,
                               float[] x, int rows, int cols, byte[] scales, byte[] codes, float[] dequantized,
                               byte[] clipMask, float[] tensorScale) {
        return fallback.quantizeScaled(scaleFormat, tile16x16, random, x, rows, cols, scales, codes, dequantized,
                clipMask, tensorScale);
    }

    @Override
    public void dequantizeScaled(ElementFormat scaleFormat, float decT, byte[] scales, byte[] codes,
                                 int rows, int cols, float[] out) {
        fallback.dequantizeScaled(scaleFormat, decT, scales, codes, rows, cols, out);
    }
}
