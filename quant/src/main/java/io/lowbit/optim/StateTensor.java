package io.lowbit.optim;

import io.lowbit.Blockwise;
import io.lowbit.Codebook;
import io.lowbit.backend.scalar.ScalarBlockwise;

import java.util.Arrays;

/**
 * One optimizer state tensor (e.g. AdamW's m): float32 values, or blockwise 8-/4-bit codes
 * with one absmax per block and the codebook they index (contract 7.2; the codebook travels
 * with the state, 7.1).
 */
public final class StateTensor {
    final int n;
    final int bits;           // 32, 8 or 4
    final Codebook codebook;  // null for 32
    final int blockSize;      // 0 for 32
    float[] values;
    byte[] codes;
    float[] absmax;

    private StateTensor(int n, int bits, Codebook codebook, int blockSize) {
        this.n = n;
        this.bits = bits;
        this.codebook = codebook;
        this.blockSize = blockSize;
    }

    static StateTensor float32(int n) {
        StateTensor s = new StateTensor(n, 32, null, 0);
        s.values = new float[n];
        return s;
    }

    /** A zero state: absmax 0 and every code that of 0 (what quantizing zeros gives). */
    static StateTensor quantized(int n, int bits, Codebook codebook, int blockSize) {
        StateTensor s = new StateTensor(n, bits, codebook, blockSize);
        s.codes = new byte[bits == 8 ? n : (n + 1) / 2];
        s.absmax = new float[Blockwise.blocks(n, blockSize)];
        s.reset();
        return s;
    }

    /** Restored from a checkpoint (arrays already checked). */
    static StateTensor restored(int n, int bits, Codebook codebook, int blockSize, float[] values, byte[] codes, float[] absmax) {
        StateTensor s = new StateTensor(n, bits, codebook, blockSize);
        s.values = values;
        s.codes = codes;
        s.absmax = absmax;
        return s;
    }

    /** Momentum reset: zeros; for quantized states the codes and absmax are reset too. */
    void reset() {
        if (bits == 32) {
            Arrays.fill(values, 0f);
            return;
        }
        Arrays.fill(absmax, 0f);
        int zero = ScalarBlockwise.nearestCode(codebook.midpointsUnsafe(), 0f);
        Arrays.fill(codes, (byte) (bits == 8 ? zero : zero | (zero << 4)));
    }

    public int size() { return n; }
    public int bits() { return bits; }
    public Codebook codebook() { return codebook; }
    public int blockSize() { return blockSize; }

    /** Bytes held: 4 per float32 element, or codes plus 4 per block absmax. */
    public long bytes() { return bits == 32 ? 4L * n : codes.length + 4L * absmax.length; }

    /** The state as float32 values (dequantized for 8-/4-bit states). */
    public float[] toFloats(Blockwise bw) {
        if (bits == 32) return values.clone();
        return bw.dequantize(new Blockwise.Quantized(codebook, bits, blockSize, n, absmax, codes));
    }

    StateTensor copy() {
        return restored(n, bits, codebook, blockSize,
                values == null ? null : values.clone(), codes == null ? null : codes.clone(), absmax == null ? null : absmax.clone());
    }
}
