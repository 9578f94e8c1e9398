package io.lowbit.cuda;

import io.lowbit.Checks;
import org.bytedeco.javacpp.Pointer;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

/**
 * A typed array in GPU memory: {@code length} elements of one {@link Type}.
 *
 * <p>Owned buffers ({@link #allocate}) are freed by {@link #close()}; wrapped ones
 * ({@link #wrap}, memory another JavaCPP library allocated) are not. Copies to and from the
 * host are synchronous on the buffer's stream. Every method checks its arguments and that
 * the buffer is open before any native call ({@link IllegalArgumentException},
 * {@link IllegalStateException}); CUDA failures (out of memory...) are {@link CudaException}.
 *
 * <p>Not thread-safe: one thread uses (and closes) a buffer at a time.
 */
public final class DeviceBuffer implements AutoCloseable {

    /** Element types, with their size in bytes. */
    public enum Type {
        FLOAT(4), BYTE(1), SHORT(2), INT(4);

        private final int bytes;

        Type(int bytes) { this.bytes = bytes; }

        public int bytes() { return bytes; }
    }

    private final Type type;
    private final long length;
    private final long address;
    private final long stream;
    private final boolean owned;
    private boolean closed;

    private DeviceBuffer(Type type, long length, long address, long stream, boolean owned) {
        this.type = type;
        this.length = length;
        this.address = address;
        this.stream = stream;
        this.owned = owned;
    }

    /**
     * Allocates {@code length} elements with cudaMalloc (contents undefined), used on the
     * default stream. Zero elements allocate nothing.
     *
     * @throws CudaException when the device is out of memory (or has no driver)
     */
    public static DeviceBuffer allocate(Type type, long length) {
        Checks.notNull("type", type);
        if (length < 0 || length > Long.MAX_VALUE / type.bytes) {
            throw new IllegalArgumentException("length must be in 0.." + Long.MAX_VALUE / type.bytes + ", got " + length);
        }
        NativeLibrary.require();
        if (length == 0) return new DeviceBuffer(type, 0, 0, 0, true);
        long bytes = length * type.bytes;
        long[] address = new long[1];
        CudaException.check(LowbitCuda.lb_malloc(bytes, address), "cudaMalloc of " + bytes + " bytes");
        return new DeviceBuffer(type, length, address[0], 0, true);
    }

    public static DeviceBuffer floats(long length) { return allocate(Type.FLOAT, length); }
    public static DeviceBuffer bytes(long length) { return allocate(Type.BYTE, length); }
    public static DeviceBuffer shorts(long length) { return allocate(Type.SHORT, length); }
    public static DeviceBuffer ints(long length) { return allocate(Type.INT, length); }

    /** A new buffer holding a copy of {@code host}. */
    public static DeviceBuffer of(float[] host) { return filled(floats(Checks.notNull("host", host).length), b -> b.copyFrom(host)); }
    public static DeviceBuffer of(byte[] host) { return filled(bytes(Checks.notNull("host", host).length), b -> b.copyFrom(host)); }
    public static DeviceBuffer of(short[] host) { return filled(shorts(Checks.notNull("host", host).length), b -> b.copyFrom(host)); }
    public static DeviceBuffer of(int[] host) { return filled(ints(Checks.notNull("host", host).length), b -> b.copyFrom(host)); }

    private static DeviceBuffer filled(DeviceBuffer b, java.util.function.Consumer<DeviceBuffer> fill) {
        try {
            fill.accept(b);
            return b;
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /**
     * Device memory owned by someone else (another JavaCPP library), seen as {@code bytes}
     * bytes; never freed by {@link #close()}. Use {@link #view} for another element type.
     *
     * @param devicePtr the device address ({@code address() + position() * sizeof()})
     * @param stream    the CUDA stream to copy and launch on, or null for the default stream
     */
    public static DeviceBuffer wrap(Pointer devicePtr, long bytes, Pointer stream) {
        return wrap(Type.BYTE, devicePtr, bytes, stream);
    }

    /** As {@link #wrap(Pointer, long, Pointer)}, as {@code length} elements of {@code type}. */
    public static DeviceBuffer wrap(Type type, Pointer devicePtr, long length, Pointer stream) {
        Checks.notNull("type", type);
        Checks.notNull("devicePtr", devicePtr);
        if (length < 0 || length > Long.MAX_VALUE / type.bytes) {
            throw new IllegalArgumentException("length must be in 0.." + Long.MAX_VALUE / type.bytes + ", got " + length);
        }
        long address = effectiveAddress(devicePtr);
        if (address == 0 && length > 0) throw new IllegalArgumentException("devicePtr must not be a null pointer");
        if (address % type.bytes != 0) {
            throw new IllegalArgumentException("devicePtr must be aligned to " + type.bytes + " bytes for " + type + ", got 0x"
                    + Long.toHexString(address));
        }
        return new DeviceBuffer(type, length, address, stream == null ? 0 : effectiveAddress(stream), false);
    }

    private static long effectiveAddress(Pointer p) {
        long position = p.position();
        return position == 0 ? p.address() : p.address() + position * p.sizeof();
    }

    /**
     * The same memory as elements of another type (not owned: closing the view frees
     * nothing, and the view is invalid once this buffer is closed).
     */
    public DeviceBuffer view(Type newType) {
        Checks.notNull("newType", newType);
        ensureOpen();
        long bytes = byteSize();
        if (bytes % newType.bytes != 0) {
            throw new IllegalArgumentException("a view as " + newType + " needs a multiple of " + newType.bytes
                    + " bytes, this buffer holds " + bytes);
        }
        return new DeviceBuffer(newType, bytes / newType.bytes, address, stream, false);
    }

    public Type type() { return type; }
    public long length() { return length; }
    public long byteSize() { return length * type.bytes; }
    public boolean isOwned() { return owned; }
    public boolean isClosed() { return closed; }

    /** The device address of element 0. */
    public long address() {
        ensureOpen();
        return address;
    }

    /** The CUDA stream address this buffer copies and launches on (0: the default stream). */
    public long stream() { return stream; }

    /** A JavaCPP pointer to the device memory, for other JavaCPP libraries (not owned by it). */
    public Pointer pointer() {
        ensureOpen();
        return new AddressPointer(address, byteSize());
    }

    /** A Pointer at a raw address; the protected fields are only reachable from a subclass. */
    private static final class AddressPointer extends Pointer {
        AddressPointer(long address, long bytes) {
            this.address = address;
            this.limit = bytes;
            this.capacity = bytes;
        }
    }

    // ---- host -> device -----------------------------------------------------------------------

    /** Copies all of {@code src} (exactly {@link #length()} elements) into this buffer. */
    public void copyFrom(float[] src) { copyFrom(src, 0, 0, exact("src", Checks.notNull("src", src).length)); }
    public void copyFrom(byte[] src) { copyFrom(src, 0, 0, exact("src", Checks.notNull("src", src).length)); }
    public void copyFrom(short[] src) { copyFrom(src, 0, 0, exact("src", Checks.notNull("src", src).length)); }
    public void copyFrom(int[] src) { copyFrom(src, 0, 0, exact("src", Checks.notNull("src", src).length)); }

    /** Copies {@code src[srcOffset .. srcOffset+count)} to elements {@code [dstIndex .. dstIndex+count)}. */
    public void copyFrom(float[] src, int srcOffset, long dstIndex, int count) {
        long dst = range(Type.FLOAT, "src", Checks.notNull("src", src).length, srcOffset, dstIndex, count);
        if (count > 0) check(LowbitCuda.lb_copy_to_device(dst, src, 4L * srcOffset, 4L * count, stream), "copy to device", count);
    }

    public void copyFrom(byte[] src, int srcOffset, long dstIndex, int count) {
        long dst = range(Type.BYTE, "src", Checks.notNull("src", src).length, srcOffset, dstIndex, count);
        if (count > 0) check(LowbitCuda.lb_copy_to_device(dst, src, srcOffset, count, stream), "copy to device", count);
    }

    public void copyFrom(short[] src, int srcOffset, long dstIndex, int count) {
        long dst = range(Type.SHORT, "src", Checks.notNull("src", src).length, srcOffset, dstIndex, count);
        if (count > 0) check(LowbitCuda.lb_copy_to_device(dst, src, 2L * srcOffset, 2L * count, stream), "copy to device", count);
    }

    public void copyFrom(int[] src, int srcOffset, long dstIndex, int count) {
        long dst = range(Type.INT, "src", Checks.notNull("src", src).length, srcOffset, dstIndex, count);
        if (count > 0) check(LowbitCuda.lb_copy_to_device(dst, src, 4L * srcOffset, 4L * count, stream), "copy to device", count);
    }

    /**
     * Copies the remaining elements of a direct buffer (its position and limit unchanged) to
     * the start of this buffer. A ByteBuffer fits any type (a whole number of elements, in the
     * platform's byte order); a Float/Short/IntBuffer must match {@link #type()}.
     */
    public void copyFrom(Buffer src) {
        long bytes = directBytes("src", src);
        if (bytes > 0) {
            check(LowbitCuda.lb_copy_to_device_address(address, hostAddress(src), bytes, stream), "copy to device",
                    bytes / type.bytes);
        }
    }

    // ---- device -> host -----------------------------------------------------------------------

    /** Copies this buffer into all of {@code dst} (exactly {@link #length()} elements). */
    public void copyTo(float[] dst) { copyTo(0, dst, 0, exact("dst", Checks.notNull("dst", dst).length)); }
    public void copyTo(byte[] dst) { copyTo(0, dst, 0, exact("dst", Checks.notNull("dst", dst).length)); }
    public void copyTo(short[] dst) { copyTo(0, dst, 0, exact("dst", Checks.notNull("dst", dst).length)); }
    public void copyTo(int[] dst) { copyTo(0, dst, 0, exact("dst", Checks.notNull("dst", dst).length)); }

    /** Copies elements {@code [srcIndex .. srcIndex+count)} to {@code dst[dstOffset .. dstOffset+count)}. */
    public void copyTo(long srcIndex, float[] dst, int dstOffset, int count) {
        long src = range(Type.FLOAT, "dst", Checks.notNull("dst", dst).length, dstOffset, srcIndex, count);
        if (count > 0) check(LowbitCuda.lb_copy_to_host(dst, 4L * dstOffset, src, 4L * count, stream), "copy to host", count);
    }

    public void copyTo(long srcIndex, byte[] dst, int dstOffset, int count) {
        long src = range(Type.BYTE, "dst", Checks.notNull("dst", dst).length, dstOffset, srcIndex, count);
        if (count > 0) check(LowbitCuda.lb_copy_to_host(dst, dstOffset, src, count, stream), "copy to host", count);
    }

    public void copyTo(long srcIndex, short[] dst, int dstOffset, int count) {
        long src = range(Type.SHORT, "dst", Checks.notNull("dst", dst).length, dstOffset, srcIndex, count);
        if (count > 0) check(LowbitCuda.lb_copy_to_host(dst, 2L * dstOffset, src, 2L * count, stream), "copy to host", count);
    }

    public void copyTo(long srcIndex, int[] dst, int dstOffset, int count) {
        long src = range(Type.INT, "dst", Checks.notNull("dst", dst).length, dstOffset, srcIndex, count);
        if (count > 0) check(LowbitCuda.lb_copy_to_host(dst, 4L * dstOffset, src, 4L * count, stream), "copy to host", count);
    }

    /** Copies the start of this buffer into the remaining space of a direct buffer (as {@link #copyFrom(Buffer)}). */
    public void copyTo(Buffer dst) {
        if (dst != null && dst.isReadOnly()) throw new IllegalArgumentException("dst must be writable");
        long bytes = directBytes("dst", dst);
        if (bytes > 0) {
            check(LowbitCuda.lb_copy_to_host_address(hostAddress(dst), address, bytes, stream), "copy to host",
                    bytes / type.bytes);
        }
    }

    /** Frees owned memory (once; later calls do nothing). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (owned && address != 0) CudaException.check(LowbitCuda.lb_free(address), "cudaFree");
    }

    // ---- checks -------------------------------------------------------------------------------

    void ensureOpen() {
        if (closed) throw new IllegalStateException("DeviceBuffer (" + type + "[" + length + "]) is closed");
    }

    private int exact(String name, int hostLength) {
        if (hostLength != length) {
            throw new IllegalArgumentException(name + " must hold exactly " + length + " elements (the buffer's length), got "
                    + hostLength);
        }
        return hostLength;
    }

    /** Checks a host/device range; returns the device address of element {@code index}. */
    private long range(Type hostType, String hostName, int hostLength, int hostOffset, long index, int count) {
        ensureOpen();
        if (type != hostType) {
            throw new IllegalArgumentException(hostName + " must be a " + type.name().toLowerCase() + "[] for a " + type
                    + " buffer, got a " + hostType.name().toLowerCase() + "[]");
        }
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        if (hostOffset < 0 || hostOffset > hostLength - count) {
            throw new IllegalArgumentException(hostName + " range [" + hostOffset + ", " + ((long) hostOffset + count)
                    + ") must lie within 0.." + hostLength);
        }
        if (index < 0 || index > length - count) {
            throw new IllegalArgumentException("device range [" + index + ", " + (index + count) + ") must lie within 0.."
                    + length);
        }
        if (count > 0) NativeLibrary.require();
        return address + index * type.bytes;
    }

    private long directBytes(String name, Buffer b) {
        ensureOpen();
        Checks.notNull(name, b);
        if (!b.isDirect()) throw new IllegalArgumentException(name + " must be a direct buffer (use an array otherwise)");
        int elementBytes;
        if (b instanceof ByteBuffer) {
            elementBytes = 1;
        } else {
            Type bufferType = b instanceof FloatBuffer ? Type.FLOAT : b instanceof ShortBuffer ? Type.SHORT
                    : b instanceof IntBuffer ? Type.INT : null;
            if (bufferType != type) {
                throw new IllegalArgumentException(name + " must be a ByteBuffer or a buffer of " + type + ", got "
                        + b.getClass().getSimpleName());
            }
            elementBytes = type.bytes;
        }
        long bytes = (long) b.remaining() * elementBytes;
        if (bytes % type.bytes != 0) {
            throw new IllegalArgumentException(name + " must hold a whole number of " + type + " elements, got "
                    + bytes + " bytes");
        }
        if (bytes > byteSize()) {
            throw new IllegalArgumentException(name + " must hold at most " + byteSize() + " bytes (the buffer's size), got "
                    + bytes);
        }
        if (bytes > 0) NativeLibrary.require();
        return bytes;
    }

    /** Host address of a direct buffer's position. */
    private static long hostAddress(Buffer b) {
        int elementBytes = b instanceof ByteBuffer ? 1 : b instanceof ShortBuffer ? 2 : 4;
        // JavaCPP's Pointer(Buffer) mixes element and byte units for a nonzero position, so
        // take the base address at position 0 and add the position here.
        Buffer atZero = b.duplicate().position(0);
        return new Pointer(atZero).address() + (long) b.position() * elementBytes;
    }

    private void check(int error, String what, long count) {
        CudaException.check(error, what + " of " + count + " " + type + " elements");
    }

    @Override
    public String toString() {
        return "DeviceBuffer[" + type + " x " + length + (owned ? "" : ", wrapped") + (closed ? ", closed" : "") + "]";
    }
}
