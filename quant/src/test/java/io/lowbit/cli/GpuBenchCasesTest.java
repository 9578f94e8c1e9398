package io.lowbit.cli;

import io.lowbit.backend.Backend;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The case list of gpu-bench (built without a GPU: setups only run inside gpu-bench). */
class GpuBenchCasesTest {
    private final List<GpuBenchCases.DeviceCase> cases = GpuBenchCases.deviceCases();

    @Test
    void everyKernelFamilyOfTheBackendHasADeviceCase() {
        // the families are Backend's methods returning a *Kernels interface: a new family fails this test
        Set<String> families = Arrays.stream(Backend.class.getMethods())
                .filter(m -> m.getParameterCount() == 0 && m.getReturnType().getSimpleName().endsWith("Kernels"))
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("casts", "random", "mx", "hadamard", "blockwise", "qat"), families);
        assertEquals(families, cases.stream().map(GpuBenchCases.DeviceCase::family).collect(Collectors.toCollection(TreeSet::new)));
    }

    @Test
    void theCasesNameEveryMeasuredKernel() {
        Set<String> names = cases.stream().map(GpuBenchCases.DeviceCase::name).collect(Collectors.toSet());
        for (String kernel : new String[] {"encode E4M3 (RNE)", "encode E4M3 (stochastic)", "encode E2M1 packed (RNE)",
                "decode E4M3", "random words", "MX quantize MXFP4 RNE, axis -1", "MX quantize MXFP4 stochastic, axis 0",
                "MX dequantize", "NVFP4 quantize (UE4M3 scales, 1x16, RNE)", "NVFP4 quantize (UE4M3 scales, 1x16, stochastic)",
                "Hadamard n=128 ", "Hadamard n=1024 ", "Hadamard n=8192 ", "rotate n=16 + NVFP4 quantize (stochastic): two kernels",
                "blockwise quantize 8-bit (dynamic-signed, block 256)", "8-bit AdamW step (block 256)", "LSQ forward + backward"}) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(kernel)), "no case named " + kernel + " in " + names);
        }
        assertEquals(cases.size(), new HashSet<>(cases.stream().map(GpuBenchCases.DeviceCase::name).toList()).size(),
                "case names must be unique");
    }

    @Test
    void everyCaseMovesAtLeastItsInputOrOutput() {
        long n = 64L * GpuBenchCases.COLS;
        for (GpuBenchCases.DeviceCase c : cases) {
            long bytes = c.bytesPerCall().apply(n);
            // each case reads float32 input of n elements or (random words) writes n int32 words
            assertTrue(bytes >= 4 * n, c.name() + ": " + bytes);
            assertTrue(bytes <= 64 * n, c.name() + ": " + bytes);
        }
    }

    @Test
    void bytesOfTheNewFamiliesCountInputsAndOutputsOnce() {
        long n = 64L * GpuBenchCases.COLS, rows = 64, blocks16 = n / 16, blocks256 = n / 256;
        assertEquals(4 * n + n + blocks16 + 4, GpuBenchCases.scaledBytes(n));                  // x; codes, scales, decT
        assertEquals(4 * n + n + 4 * blocks256, GpuBenchCases.blockwiseBytes(n));              // x; codes, absmax
        assertEquals((4 + 4 + 1 + 1) * n + 8 * blocks256 + (4 + 1 + 1) * n + 8 * blocks256,  // p g m v; p m v
                GpuBenchCases.adamw8Bytes(n));
        assertEquals(8 * n + 4 * rows + 12 * n + 8 * rows, GpuBenchCases.lsqBytes(n));        // x, q; x, g, dx, ds
    }
}
