package io.lowbit;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A sorted table of quantization values in [-1, 1] for blockwise quantization (contract 7.1),
 * with its float32 midpoints {@code m_j = (c_j + c_{j+1}) / 2} that decide the nearest code (7.2).
 */
public final class Codebook {
    /** bitsandbytes' signed dynamic map, 8 bits (7.1): m of AdamW, SGD and Lion states. */
    public static final Codebook DYNAMIC_SIGNED = new Codebook("dynamic-signed", dynamicMap(true, 7, 8));
    /** bitsandbytes' unsigned dynamic map, 8 bits (7.1): v of AdamW. */
    public static final Codebook DYNAMIC_UNSIGNED = new Codebook("dynamic-unsigned", dynamicMap(false, 7, 8));
    /**
     * The 4-bit signed dynamic map, {@code create_dynamic_map(signed=True, max_exponent_bits=3,
     * total_bits=4)}: torchao's AdamW4bit first-moment map. Same construction as 7.1 with i = 0..2,
     * n = 2^i + 1 and scale 10^(i-2).
     */
    public static final Codebook DYNAMIC_SIGNED_4 = new Codebook("dynamic-signed-4", dynamicMap(true, 3, 4));
    /** bitsandbytes' NF4 table ({@code get_4bit_type("nf4")}, the QLoRA normal-float levels), as published. */
    public static final Codebook NF4 = new Codebook("nf4", new float[] {
            -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
            0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
            0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f});
    /**
     * bitsandbytes' FP4 table ({@code get_4bit_type("fp4")} in bitsandbytes/functional.py):
     * {0, 0.0625, 8, 12, 4, 6, 2, 3} and their negatives (with -0), divided by their abs max 12,
     * then sorted ascending here (bitsandbytes keeps its own code order; only the values matter
     * for 7.2). -0 and +0 are both kept so the table has 16 entries; the midpoint between them is
     * 0, so +0 quantizes to the code of -0 (ties to the lower code), which dequantizes to a zero.
     * Exact quotients by 12 rounded once to float32.
     */
    public static final Codebook FP4 = new Codebook("fp4", fp4());
    /** torchao's 4-bit second-moment map: {@code k/16, k = 1..16} (no zero). */
    public static final Codebook LINEAR4 = new Codebook("linear4", linear4());

    private static final List<Codebook> ALL = List.of(DYNAMIC_SIGNED, DYNAMIC_UNSIGNED, DYNAMIC_SIGNED_4, NF4, FP4, LINEAR4);

    private final String name;
    private final float[] values;
    private final float[] midpoints;
    private volatile Search search;

    private Codebook(String name, float[] values) {
        this.name = name;
        this.values = values;
        this.midpoints = midpointsOf(values);
    }

    /**
     * A codebook from given values (e.g. one loaded from a checkpoint, 7.4): 2..256 finite values,
     * ascending (non-decreasing), within [-1, 1].
     */
    public static Codebook of(String name, float[] values) {
        Checks.notNull("name", name);
        Checks.notNull("values", values);
        Checks.inRange("values.length", values.length, 2, 256);
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!(v >= -1f && v <= 1f)) throw new IllegalArgumentException("values[" + i + "] must be in [-1, 1], got " + v);
            if (i > 0 && values[i - 1] > v) throw new IllegalArgumentException("values must be ascending, values[" + i + "] = " + v + " < " + values[i - 1]);
        }
        return new Codebook(name, values.clone());
    }

    /** The built-in codebook called {@code name}: dynamic-signed, dynamic-unsigned, dynamic-signed-4, nf4, fp4, linear4. */
    public static Codebook byName(String name) {
        for (Codebook c : ALL) if (c.name.equals(name)) return c;
        throw new IllegalArgumentException("codebook must be one of dynamic-signed, dynamic-unsigned, dynamic-signed-4, nf4, fp4, linear4; got " + name);
    }

    public String name() { return name; }
    public int size() { return values.length; }
    public float value(int code) { return values[code]; }
    /** The values, ascending (a copy). */
    public float[] values() { return values.clone(); }
    /** The float32 midpoints between neighbours (a copy), size() - 1 of them. */
    public float[] midpoints() { return midpoints.clone(); }
    /** Shared arrays for kernels, which must not modify them. */
    public float[] valuesUnsafe() { return values; }
    public float[] midpointsUnsafe() { return midpoints; }

    /**
     * A search accelerator for fast kernels: entry k (k = top 16 bits of a float) is the number of
     * midpoints below every float whose top 16 bits are k (below the smallest value of that bucket).
     * Counting onwards from it while {@code midpoint < v} gives exactly 7.2's code for a non-NaN v,
     * in at most {@link #searchSteps()} steps.
     */
    public byte[] searchStarts() {
        Search t = search;
        if (t == null) search = t = new Search(midpoints);
        return t.starts;
    }

    /** The most midpoints any 16-bit bucket holds: the steps a fast search needs after its start. */
    public int searchSteps() {
        searchStarts();
        return search.steps;
    }

    /** The midpoints followed by {@link #searchSteps()} copies of +Inf, so a fast search may step without bounds checks. */
    public float[] paddedMidpoints() {
        searchStarts();
        return search.padded;
    }

    /**
     * The midpoints as order keys ({@link #orderKey}), followed by {@link #searchSteps()} keys of
     * 2.0f (above every v in [-1, 1]); a midpoint -0 gets the key of +0 because {@code -0 < +0}
     * is false in float32. For a non-NaN v in [-1, 1]: {@code keys[j] < orderKey(bits(v))} exactly
     * when {@code midpoint[j] < v}, and {@code keys[j] - orderKey(bits(v))} cannot overflow (all
     * keys lie within +-0x40000000), so its sign bit is the compare, branch-free.
     */
    public int[] searchKeys() {
        searchStarts();
        return search.keys;
    }

    /**
     * A one-load search table, or null when some bucket holds more than one midpoint (then use
     * {@link #searchStarts()}). Buckets are the top 16 bits of {@link #unsignedKey}. Entry k is
     * {@code (start << 17) - (k << 16) + c}: start = the midpoints in buckets below k; c = 0x1FFFF
     * - low if bucket k holds a midpoint whose key has low 16 bits {@code low}, else 0. For a
     * non-NaN v with key u in bucket k, {@code (entry + u) >>> 17} (int arithmetic, wrapping) is
     * then start + (low < (u & 0xFFFF) ? 1 : 0), the code of 7.2: the k << 16 cancels, and
     * c + (u & 0xFFFF) carries into bit 17 exactly when the midpoint is below v. A midpoint -0
     * is keyed as +0. One add and one shift per element, no mask or compare.
     */
    public int[] bucketTable() {
        searchStarts();
        return search.buckets;
    }

    /** The float bits mapped to an int whose unsigned order is the float order (-0 just below +0). */
    public static int unsignedKey(int floatBits) { return floatBits ^ ((floatBits >> 31) | 0x80000000); }

    /** The float bits mapped to an int whose signed order is the float order (-0 just below +0). */
    public static int orderKey(int floatBits) { return floatBits ^ ((floatBits >> 31) & 0x7FFFFFFF); }

    private static final class Search {
        final byte[] starts = new byte[1 << 16];
        final int steps;
        final float[] padded;
        final int[] keys;
        final int[] buckets;

        Search(float[] mids) {
            int most = 0;
            for (int k = 0; k < 1 << 16; k++) {
                // positive floats grow with their bits, negative ones shrink
                float lo = Float.intBitsToFloat(k < 0x8000 ? k << 16 : (k << 16) | 0xFFFF);
                float hi = Float.intBitsToFloat(k < 0x8000 ? (k << 16) | 0xFFFF : k << 16);
                if (lo != lo || hi != hi) continue;  // NaN buckets: start 0 (kernels handle NaN apart)
                int start = countBelow(mids, lo), end = countBelow(mids, hi);
                starts[k] = (byte) start;
                most = Math.max(most, end - start);
            }
            steps = most;
            padded = Arrays.copyOf(mids, mids.length + most);
            Arrays.fill(padded, mids.length, padded.length, Float.POSITIVE_INFINITY);
            keys = new int[padded.length];
            for (int j = 0; j < keys.length; j++) {
                float m = j < mids.length ? mids[j] + 0f : 2f;  // + 0f: -0 becomes +0
                keys[j] = orderKey(Float.floatToRawIntBits(m));
            }
            buckets = bucketsOf(mids);
        }

        private static int[] bucketsOf(float[] mids) {
            int[] count = new int[1 << 16], low = new int[1 << 16];
            for (float m : mids) {
                int u = unsignedKey(Float.floatToRawIntBits(m + 0f));  // + 0f: -0 becomes +0
                count[u >>> 16]++;
                low[u >>> 16] = u & 0xFFFF;
            }
            int[] t = new int[1 << 16];
            int start = 0;
            for (int k = 0; k < t.length; k++) {
                if (count[k] > 1) return null;
                t[k] = (start << 17) - (k << 16) + (count[k] == 1 ? 0x1FFFF - low[k] : 0);
                start += count[k];
            }
            return t;
        }

        private static int countBelow(float[] m, float v) {
            int lo = 0, hi = m.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (m[mid] < v) lo = mid + 1; else hi = mid;
            }
            return lo;
        }
    }

    private static float[] midpointsOf(float[] c) {
        float[] m = new float[c.length - 1];
        for (int j = 0; j < m.length; j++) m[j] = (c[j] + c[j + 1]) / 2f;  // float32 as 7.2 says
        return m;
    }

    /**
     * bitsandbytes' {@code create_dynamic_map(signed, max_exponent_bits, total_bits)} with every
     * value computed exactly and rounded once to float32 (7.1). With nonSign = totalBits - 1, step i
     * has 2^(i + nonSign - expBits) intervals when signed and twice as many when unsigned (as in
     * bitsandbytes), scaled by 10^(i - (expBits - 1)); plus 0 and 1, sorted ascending.
     */
    static float[] dynamicMap(boolean signed, int expBits, int totalBits) {
        int nonSign = totalBits - 1;
        List<BigDecimal> exact = new ArrayList<>();
        BigDecimal tenth = new BigDecimal("0.1");
        BigDecimal nineTenths = new BigDecimal("0.9");
        for (int i = 0; i < expBits; i++) {
            int intervals = signed ? 1 << (i + nonSign - expBits) : 1 << (i + nonSign - expBits + 1);
            BigDecimal scale = BigDecimal.ONE.scaleByPowerOfTen(i - (expBits - 1));
            for (int k = 0; k < intervals; k++) {
                // (b_k + b_{k+1}) / 2 = 0.1 + 0.9 (2k + 1) / (2 (n - 1)); n - 1 = intervals, a power of two: exact
                BigDecimal mean = tenth.add(nineTenths.multiply(BigDecimal.valueOf(2L * k + 1))
                        .divide(BigDecimal.valueOf(2L * intervals)));
                BigDecimal v = scale.multiply(mean);
                exact.add(v);
                if (signed) exact.add(v.negate());
            }
        }
        exact.add(BigDecimal.ZERO);
        exact.add(BigDecimal.ONE);
        if (exact.size() != 1 << totalBits) throw new AssertionError("dynamic map has " + exact.size() + " entries");
        float[] out = new float[exact.size()];
        for (int j = 0; j < out.length; j++) out[j] = roundToFloat(exact.get(j));
        Arrays.sort(out);
        return out;
    }

    private static float[] fp4() {
        double[] bnb = {0, 0.0625, 8, 12, 4, 6, 2, 3};
        float[] out = new float[16];
        for (int j = 0; j < 8; j++) {
            float v = roundToFloat(new BigDecimal(bnb[j]).divide(BigDecimal.valueOf(12), java.math.MathContext.DECIMAL128));
            out[j] = v;
            out[8 + j] = -v;
        }
        Arrays.sort(out);  // Arrays.sort orders -0 before +0
        return out;
    }

    private static float[] linear4() {
        float[] out = new float[16];
        for (int k = 1; k <= 16; k++) out[k - 1] = k / 16f;  // exact: k/16 is a float
        return out;
    }

    /**
     * Correctly rounded (nearest, ties to even) float32 of an exact decimal. Independent of
     * {@link BigDecimal#floatValue()}, whose rounding was not guaranteed before JDK 19: the
     * candidate and its neighbours are compared exactly.
     */
    static float roundToFloat(BigDecimal x) {
        float f = (float) x.doubleValue();  // within an ulp or so of the answer
        float best = f;
        BigDecimal bestErr = null;
        for (float c : new float[] {Math.nextDown(f), f, Math.nextUp(f)}) {
            if (Float.isInfinite(c) || Float.isNaN(c)) continue;
            BigDecimal err = x.subtract(new BigDecimal(c)).abs();
            int cmp = bestErr == null ? -1 : err.compareTo(bestErr);
            if (cmp < 0 || (cmp == 0 && (Float.floatToRawIntBits(c) & 1) == 0)) {
                best = c;
                bestErr = err;
            }
        }
        return best;
    }

    @Override
    public String toString() { return "Codebook " + name + " (" + values.length + " values)"; }
}
