package io.lowbit.cuda;

import io.lowbit.ElementFormat;
import io.lowbit.mx.ScaleMode;

/** The format ids of {@code lowbit_cast.cuh} (LB_E2M1 ...). A host test checks the table. */
final class NativeFormats {
    private NativeFormats() {}

    static int id(ElementFormat f) {
        switch (f) {
            case E2M1: return 0;
            case E2M3: return 1;
            case E3M2: return 2;
            case E4M3: return 3;
            case E5M2: return 4;
            case INT8: return 5;
            case E8M0: return 6;
            case UE4M3: return 7;
            case UE5M3: return 8;
            case BF16: return 9;
            case FP16: return 10;
            default: throw new IllegalArgumentException("format " + f + " has no CUDA id");
        }
    }

    /** LB_SCALE_* of lowbit_mx.cuh. */
    static int scaleModeId(ScaleMode m) {
        switch (m) {
            case FLOOR: return 0;
            case CEIL: return 1;
            case EVEN: return 2;
            case RCEIL: return 3;
            default: throw new IllegalArgumentException("scale mode " + m + " has no CUDA id");
        }
    }
}
