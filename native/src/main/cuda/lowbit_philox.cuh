// Philox4x32-10 and the element-to-word mapping of contract section 3; mirrors
// io.lowbit.backend.scalar.Philox (integer arithmetic only, identical on host and device).
#pragma once

#include "lowbit_common.cuh"

static const uint32_t LB_PHILOX_M0 = 0xD2511F53u;
static const uint32_t LB_PHILOX_M1 = 0xCD9E8D57u;
static const uint32_t LB_PHILOX_W0 = 0x9E3779B9u;
static const uint32_t LB_PHILOX_W1 = 0xBB67AE85u;

// Ten rounds on counter c[0..3] with key (k0, k1), in place.
LB_HD void lb_philox4x32_10(uint32_t c[4], uint32_t k0, uint32_t k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {  // the key is bumped between rounds, not before the first
            k0 += LB_PHILOX_W0;
            k1 += LB_PHILOX_W1;
        }
        uint64_t p0 = (uint64_t) LB_PHILOX_M0 * c[0];
        uint64_t p1 = (uint64_t) LB_PHILOX_M1 * c[2];
        uint32_t hi0 = (uint32_t) (p0 >> 32), lo0 = (uint32_t) p0;
        uint32_t hi1 = (uint32_t) (p1 >> 32), lo1 = (uint32_t) p1;
        uint32_t n0 = hi1 ^ c[1] ^ k0;
        uint32_t n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = lo1;
        c[2] = n2;
        c[3] = lo0;
    }
}

// The words of elements 4*group .. 4*group+3: counter offset+group (unsigned 64-bit, wraps),
// stream in the third counter word, key = the seed's low and high halves.
LB_HD void lb_philox_group(uint64_t seed, uint64_t offset, uint32_t stream, uint64_t group,
                           uint32_t out[4]) {
    uint64_t c = offset + group;
    out[0] = (uint32_t) c;
    out[1] = (uint32_t) (c >> 32);
    out[2] = stream;
    out[3] = 0;
    lb_philox4x32_10(out, (uint32_t) seed, (uint32_t) (seed >> 32));
}

// Where an op's random words come from (io.lowbit.RandomStream); enabled = stochastic rounding.
struct lb_random {
    bool enabled;
    uint64_t seed;
    uint64_t offset;
    uint32_t stream;
};

static inline lb_random lb_make_random(int stochastic, long long seed, long long offset, int stream) {
    lb_random r;
    r.enabled = stochastic != 0;
    r.seed = (uint64_t) seed;
    r.offset = (uint64_t) offset;
    r.stream = (uint32_t) stream;
    return r;
}

// Words of group g, or zeros when the op rounds to nearest (they are then never read).
LB_HD void lb_group_words(const lb_random& r, long long g, uint32_t w[4]) {
    if (r.enabled) {
        lb_philox_group(r.seed, r.offset, r.stream, (uint64_t) g, w);
    } else {
        w[0] = w[1] = w[2] = w[3] = 0;
    }
}

// ---- per-work-item bodies shared by kernels and host checks --------------------------------

// words[4g .. 4g+3] (those below count) of the stream.
LB_HD void lb_words_group(const lb_random& r, uint32_t* words, long long count, long long g) {
    uint32_t w[4];
    lb_philox_group(r.seed, r.offset, r.stream, (uint64_t) g, w);
    long long base = g << 2;
    for (int lane = 0; lane < 4 && base + lane < count; lane++) words[base + lane] = w[lane];
}

// Raw block j: key[2j..2j+1], counter[4j..4j+3] -> out[4j..4j+3].
LB_HD void lb_philox_block_item(const uint32_t* key, const uint32_t* counter, uint32_t* out, long long j) {
    uint32_t c[4] = {counter[4 * j], counter[4 * j + 1], counter[4 * j + 2], counter[4 * j + 3]};
    lb_philox4x32_10(c, key[2 * j], key[2 * j + 1]);
    for (int lane = 0; lane < 4; lane++) out[4 * j + lane] = c[lane];
}
