// Host entry point replaying the Hadamard kernel's schedule (lowbit_hadamard_kernels.cuh) on the
// CPU with the same LB_HD pieces: per thread loads and register stages, the shuffle stages as
// exchanges between the emulated lanes, the shared-memory stages, the store. The host check test
// compares it with ScalarHadamard bit for bit.
#pragma once

#include <vector>
#include "lowbit_hadamard_kernels.cuh"

template <int R>
static void lb_host_hadamard_r(const lb_hadamard_job& j) {
    const int n = j.n;
    const int T = n / R;
    std::vector<float> regs(n), partner(n);  // regs[tl*R + r] = register r of lane tl
    for (long long blk = 0; blk < j.blocks; blk++) {
        for (int tl = 0; tl < T; tl++) {
            lb_hadamard_load<R>(j, blk, tl, &regs[(size_t) tl * R]);
            lb_hadamard_register_stages<R>(&regs[(size_t) tl * R]);
        }
        for (int h = R; h < n && h < 32 * R; h <<= 1) {
            const int m = h / R;
            partner = regs;  // every lane reads its partner's value before any lane writes
            for (int tl = 0; tl < T; tl++) {
                for (int r = 0; r < R; r++) {
                    regs[(size_t) tl * R + r] = lb_hadamard_combine(regs[(size_t) tl * R + r],
                                                                    partner[(size_t) (tl ^ m) * R + r], (tl & m) != 0);
                }
            }
        }
        if (n > 32 * R) {  // regs already has the shared-memory layout s[tl*R + r]
            for (int h = 32 * R; h < n; h <<= 1) {
                for (int tl = 0; tl < T; tl++) {
                    for (int p = tl; p < n / 2; p += T) lb_hadamard_shared_stage(regs.data(), h, p);
                }
            }
        }
        for (int tl = 0; tl < T; tl++) lb_hadamard_store<R>(j, blk, tl, &regs[(size_t) tl * R]);
    }
}

// Contract 6 on rows*cols/n blocks of n (see lb_launch_hadamard); signs may be null unless given.
static void lb_host_hadamard(const float* x, float* y, long long blocks, int n, float scale, int inverse, int signMode,
                             const float* signs, long long seed, long long offset, int stream) {
    lb_hadamard_job j = lb_make_hadamard_job(x, y, blocks, n, scale, inverse, signMode, signs, seed, offset, stream);
    switch (lb_hadamard_regs(n)) {
        case 2: lb_host_hadamard_r<2>(j); break;
        case 4: lb_host_hadamard_r<4>(j); break;
        case 8: lb_host_hadamard_r<8>(j); break;
        case 16: lb_host_hadamard_r<16>(j); break;
        case 32: lb_host_hadamard_r<32>(j); break;
        default: break;
    }
}
