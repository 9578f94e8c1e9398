// Hadamard transforms, contract section 6: the pieces of the kernel's schedule as LB_HD
// functions, so the host entry point (lowbit_hadamard_host.cuh) replays the very same
// schedule on the CPU, and a mirror of io.lowbit.backend.scalar.ScalarHadamard.block.
//
// Why the schedule is exact: every output of stage h is a + b or a - b of two outputs of stage
// h/2 (the canonical pairs (j, j+h), j mod 2h < h). The kernel performs the stages h = 1, 2, 4,
// ... in that order on those same pairs, each with one float32 add or sub (-fmad=false; no
// reassociation), so any distribution of the pairs over registers, warp lanes and shared memory
// gives the bits of the canonical loop.
//
// Layout: a block of n elements is handled by T = n / R threads; thread tl holds the R
// consecutive elements tl*R .. tl*R+R-1 in registers.
//   stages h <  R      : inside the thread (lb_hadamard_register_stages)
//   stages R <= h < 32R: partner lane tl ^ (h/R) of the same warp (shuffle, lb_hadamard_combine)
//   stages h >= 32R    : shared memory, one stage per barrier (lb_hadamard_shared_stage)
#pragma once

#include "lowbit_philox.cuh"

enum { LB_SIGNS_NONE = 0, LB_SIGNS_GIVEN = 1, LB_SIGNS_RANDOM = 2 };

struct lb_hadamard_job {
    const float* x;
    float* y;            // may equal x (each element is read and written by the same thread)
    long long blocks;    // transform blocks of n elements: rows * cols / n
    int n;               // 2 .. 32768, a power of two
    float scale;         // one multiply after the butterflies, skipped when 1 (ScalarHadamard.scale)
    bool inverse;        // signs after (inverse) rather than before (forward) the butterflies
    int signMode;        // LB_SIGNS_*
    const float* signs;  // LB_SIGNS_GIVEN: n values, each +1 or -1
    lb_random random;    // LB_SIGNS_RANDOM: s_j = -1 iff the top bit of word j is set
};

// Elements per thread: all of a tiny block, else 8, else as many as keep T <= 1024 threads.
LB_HD int lb_hadamard_regs(int n) {
    if (n <= 8) return n;
    if (n / 8 <= 1024) return 8;
    return n / 1024;
}

// The sign s_j as the float +1 or -1 (the reference multiplies by these floats).
LB_HD float lb_hadamard_sign_of_word(uint32_t word) { return (word >> 31) != 0 ? -1.0f : 1.0f; }

// signs s_first .. s_first+R-1 into s (1 when there are none). R is 2 or a multiple of 4 and
// first a multiple of R, so the random words come in whole Philox groups.
template <int R>
LB_HD void lb_hadamard_signs(const lb_hadamard_job& j, int first, float* s) {
    if (j.signMode == LB_SIGNS_GIVEN) {
        for (int r = 0; r < R; r++) s[r] = j.signs[first + r];
    } else if (j.signMode == LB_SIGNS_RANDOM) {
        uint32_t w[4];
        for (int r = 0; r < R; r++) {
            if ((r & 3) == 0) lb_group_words(j.random, (first + r) >> 2, w);
            s[r] = lb_hadamard_sign_of_word(w[(first + r) & 3]);
        }
    } else {
        for (int r = 0; r < R; r++) s[r] = 1.0f;
    }
}

// Thread tl's elements of block blk into v; forward signs applied (sign * x, exact).
template <int R>
LB_HD void lb_hadamard_load(const lb_hadamard_job& j, long long blk, int tl, float* v) {
    const float* x = j.x + blk * j.n + (long long) tl * R;
    if (j.signMode != LB_SIGNS_NONE && !j.inverse) {
        float s[R];
        lb_hadamard_signs<R>(j, tl * R, s);
        for (int r = 0; r < R; r++) v[r] = s[r] * x[r];
    } else {
        for (int r = 0; r < R; r++) v[r] = x[r];
    }
}

// Scale (one multiply, none when 1) then inverse signs, and store (ScalarHadamard.block's tail).
template <int R>
LB_HD void lb_hadamard_store(const lb_hadamard_job& j, long long blk, int tl, float* v) {
    if (j.scale != 1.0f) {
        for (int r = 0; r < R; r++) v[r] = v[r] * j.scale;
    }
    if (j.signMode != LB_SIGNS_NONE && j.inverse) {
        float s[R];
        lb_hadamard_signs<R>(j, tl * R, s);
        for (int r = 0; r < R; r++) v[r] = s[r] * v[r];
    }
    float* y = j.y + blk * j.n + (long long) tl * R;
    for (int r = 0; r < R; r++) y[r] = v[r];
}

// One canonical butterfly: (a, b) -> (a + b, a - b).
LB_HD void lb_hadamard_butterfly(float& a, float& b) {
    float sum = a + b;
    float diff = a - b;
    a = sum;
    b = diff;
}

// Stages h = 1 .. R/2 on one thread's R consecutive elements.
template <int R>
LB_HD void lb_hadamard_register_stages(float* v) {
    for (int h = 1; h < R; h <<= 1) {
        for (int k = 0; k < R; k++) {
            if ((k & h) == 0) lb_hadamard_butterfly(v[k], v[k + h]);
        }
    }
}

// A cross-thread stage for one register: the thread holding the lower element j keeps
// own + partner (a + b); the one holding j + h keeps partner - own (a - b).
LB_HD float lb_hadamard_combine(float own, float partner, bool upper) {
    return upper ? partner - own : own + partner;
}

// The p-th pair (p < n/2) of stage h on a block held in s: j = the p-th index with j mod 2h < h.
LB_HD void lb_hadamard_shared_stage(float* s, int h, int p) {
    int jj = ((p & ~(h - 1)) << 1) | (p & (h - 1));
    lb_hadamard_butterfly(s[jj], s[jj + h]);
}

static inline lb_hadamard_job lb_make_hadamard_job(const float* x, float* y, long long blocks, int n, float scale,
                                                   int inverse, int signMode, const float* signs, long long seed,
                                                   long long offset, int stream) {
    lb_hadamard_job j;
    j.x = x;
    j.y = y;
    j.blocks = blocks;
    j.n = n;
    j.scale = scale;
    j.inverse = inverse != 0;
    j.signMode = signMode;
    j.signs = signs;
    j.random = lb_make_random(1, seed, offset, stream);
    return j;
}
