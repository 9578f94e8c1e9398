package io.lowbit.cuda;

import io.lowbit.backend.Backend;
import io.lowbit.backend.BlockwiseKernels;
import io.lowbit.backend.CastKernels;
import io.lowbit.backend.HadamardKernels;
import io.lowbit.backend.MxKernels;
import io.lowbit.backend.QatKernels;
import io.lowbit.backend.RandomKernels;

/**
 * The CUDA backend: every kernel family (casts, random numbers, MX and scaled quantization,
 * Hadamard transforms, blockwise quantization and optimizer steps, LSQ) runs as CUDA kernels on
 * device 0.
 * Obtain it through {@link io.lowbit.backend.Backends} (it is created by {@link CudaBackendProvider}).
 */
public final class CudaBackend implements Backend {
    private final CudaDevice device;
    private final CastKernels casts = new CudaCasts();
    private final RandomKernels random = new CudaRandom();
    private final MxKernels mx = new CudaMx();
    private final HadamardKernels hadamard = new CudaHadamard();
    private final BlockwiseKernels blockwise = new CudaBlockwise();
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
