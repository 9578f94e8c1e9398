package io.lowbit.simd;

import io.lowbit.backend.Backend;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.CastKernels;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.MxKernels;
import io.lowbit.backend.QatKernels;
import io.lowbit.backend.RandomKernels;

/**
 * The best Java CPU backend (vector, else scalar) with C++ AVX2 kernels, through JNI, where
 * they beat the Java Vector API (benchmarks/RESULTS-hadamard.md, RESULTS-mx.md): the Hadamard
 * transform, the packed FP4 quantizers of {@code Quantizer.quantize} (MXFP4 along rows or
 * columns, NVFP4/UE5M3 1x16 and 16x16; round to nearest even, and stochastic rounding along
 * rows; NVFP4/UE5M3 1x16 also in AVX-512 where the CPU has it) and contract 3's random words.
 * Every other kernel, and every case those decline, is the Java one.
 */
final class SimdBackend implements Backend {
    private final Backend base;
    private final MxKernels mx;
    private final HadamardKernels hadamard;
    private final RandomKernels random;

    SimdBackend(Backend base) {
        this.base = base;
        this.mx = new SimdMx(base.mx());
        this.hadamard = new SimdHadamard();
        this.random = new SimdRandom(base.random());
    }

    @Override public String name() { return "simd"; }

    @Override
    public String description() {
        return "C++ AVX2 kernels (Hadamard, packed FP4 quantization, Philox words" + (SimdLibrary.usesAvx512() ? "; AVX-512 for NVFP4/UE5M3" : "")
                + ") over the " + base.name() + " backend";
    }

    @Override public CastKernels casts() { return base.casts(); }
    @Override public RandomKernels random() { return random; }
    @Override public MxKernels mx() { return mx; }
    @Override public HadamardKernels hadamard() { return hadamard; }
    @Override public BlockwiseKernels blockwise() { return base.blockwise(); }
    @Override public QatKernels qat() { return base.qat(); }
}
