package io.lowbit.io;

import java.util.Arrays;

/**
 * An n-dimensional array as a NumPy {@code .npy} file holds it (vector-format.md): a dtype,
 * a shape and the flat data in C order, as a Java primitive array.
 *
 * <p>Data by dtype: F4 {@code float[]}, U1/I1 {@code byte[]}, U2 {@code short[]},
 * U4/I4 {@code int[]}, I8 {@code long[]}.
 */
public final class NpyArray {
    /** The dtypes of the vector format, with their NumPy descr strings. */
    public enum Dtype {
        F4("<f4", 4), U1("|u1", 1), I1("|i1", 1), U2("<u2", 2), U4("<u4", 4), I4("<i4", 4), I8("<i8", 8);

        public final String descr;
        public final int size;

        Dtype(String descr, int size) { this.descr = descr; this.size = size; }
    }

    private final Dtype dtype;
    private final int[] shape;
    private final Object data;

    public NpyArray(Dtype dtype, int[] shape, Object data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
    }

    public static NpyArray of(float[] v, int... shape) { return new NpyArray(Dtype.F4, shapeOr(shape, v.length), v); }
    public static NpyArray ofU1(byte[] v, int... shape) { return new NpyArray(Dtype.U1, shapeOr(shape, v.length), v); }
    public static NpyArray ofU2(short[] v, int... shape) { return new NpyArray(Dtype.U2, shapeOr(shape, v.length), v); }
    public static NpyArray ofU4(int[] v, int... shape) { return new NpyArray(Dtype.U4, shapeOr(shape, v.length), v); }
    public static NpyArray ofI4(int[] v, int... shape) { return new NpyArray(Dtype.I4, shapeOr(shape, v.length), v); }
    public static NpyArray ofI8(long[] v, int... shape) { return new NpyArray(Dtype.I8, shapeOr(shape, v.length), v); }

    private static int[] shapeOr(int[] shape, int n) { return shape.length == 0 ? new int[] {n} : shape; }

    public Dtype dtype() { return dtype; }
    public int[] shape() { return shape.clone(); }
    public int rank() { return shape.length; }
    public int dim(int i) { return shape[i]; }

    /** Number of elements (product of the shape). */
    public long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public float[] floats() { return (float[]) as(Dtype.F4); }
    /** U1 or I1 data. */
    public byte[] bytes() {
        if (dtype != Dtype.U1 && dtype != Dtype.I1) throw wrongType("u1 or i1");
        return (byte[]) data;
    }
    public short[] shorts() { return (short[]) as(Dtype.U2); }
    /** U4 or I4 data. */
    public int[] ints() {
        if (dtype != Dtype.U4 && dtype != Dtype.I4) throw wrongType("u4 or i4");
        return (int[]) data;
    }
    public long[] longs() { return (long[]) as(Dtype.I8); }
    public Object data() { return data; }

    private Object as(Dtype d) {
        if (dtype != d) throw wrongType(d.descr);
        return data;
    }

    private IllegalArgumentException wrongType(String want) {
        return new IllegalArgumentException("array has dtype " + dtype.descr + ", expected " + want);
    }

    @Override
    public String toString() { return "npy " + dtype.descr + Arrays.toString(shape); }
}
