package io.lowbit.cuda;

import io.lowbit.backend.Backend;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.CastKernels;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.MxKernels;
import io.lowbit.backend.QatKernels;
import io.lowbit.backend.RandomKernels;
import io.lowbit.backend.UnsupportedKernels;

/**
 * The CUDA backend: casts, random numbers and MX quantization run as CUDA kernels on device 0. Families with
 * no kernel yet throw {@link UnsupportedOperationException} naming the missing method.
 * Obtain it through {@link io.lowbit.backend.Backends} (it is created by {@link CudaBackendProvider}).
 */
public final class CudaBackend implements Backend {
    private final CudaDevice device;
    private final CastKernels casts = new CudaCasts();
    private final RandomKernels random = new CudaRandom();
    private final MxKernels mx = new CudaMx();   // MX kernels; scaled (NVFP4) not yet
    private final HadamardKernels hadamard = UnsupportedKernels.of(HadamardKernels.class, "CUDA", "hadamard");
    private final BlockwiseKernels blockwise = new CudaBlockwise();  // 8-bit quantize/dequantize, AdamW 8/32-bit
    private final QatKernels qat = new CudaQat();

    CudaBackend(CudaDevice device) { this.device = device; }

    public CudaDevice device() { return device; }

    @Override public String name() { return "cuda"; }
    @Override public String description() { return "CUDA on " + device.describe(); }
    @Override public CastKernels casts() { return casts; }
    @Override public RandomKernels random() { return random; }
    @Override public MxKernels mx() { return mx; }
    @Override public HadamardKernels hadamard() { return hadamard; }
    @Override public BlockwiseKernels blockwise() { return blockwise; }
    @Override public QatKernels qat() { return qat; }
}
