package io.lowbit.optim;

import io.lowbit.Checks;

/**
 * A trainable tensor, updated in place by an optimizer: float32 values, or BF16 codes (bit
 * patterns as {@code short}) updated without a float32 master copy (see {@link Optimizer}).
 */
public final class Param {
    private final String name;
    private final float[] f32;
    private final short[] bf16;

    private Param(String name, float[] f32, short[] bf16) {
        this.name = Checks.notNull("name", name);
        this.f32 = f32;
        this.bf16 = bf16;
    }

    public static Param f32(String name, float[] values) { return new Param(name, Checks.notNull("values", values), null); }

    public static Param bf16(String name, short[] codes) { return new Param(name, null, Checks.notNull("codes", codes)); }

    public String name() { return name; }
    public int size() { return f32 != null ? f32.length : bf16.length; }
    public boolean isBf16() { return bf16 != null; }
    /** The float32 values (null for a BF16 parameter). */
    public float[] values() { return f32; }
    /** The BF16 codes (null for a float32 parameter). */
    public short[] bf16Codes() { return bf16; }

    @Override
    public String toString() { return name + (isBf16() ? " bf16[" : " f32[") + size() + "]"; }
}
