package io.lowbit.backend.vector;

import io.lowbit.backend.scalar.ScalarCasts;

/** Vectorized casts. TODO(foundation): accelerate E4M3, E2M1 packed, BF16. */
class VectorCasts extends ScalarCasts {
}
