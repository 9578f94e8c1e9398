package io.lowbit.optim;

/**
 * AdamW with 4-bit states as torchao's AdamW4bit: m with the 4-bit dynamic map, v with linear4
 * (k/16), block size 128, two codes per byte. Same step as {@link AdamW} (contract 7.3).
 */
public final class AdamW4bit {
    private AdamW4bit() {}

    /** An {@link AdamW} builder preset to 4-bit states and block size 128. */
    public static AdamW.Builder builder() { return AdamW.builder().stateBits(4).blockSize(128); }
}
