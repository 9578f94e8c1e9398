package io.lowbit.cuda;

import io.lowbit.CastOptions;
import io.lowbit.ElementFormat;
import io.lowbit.RandomStream;
import io.lowbit.backend.scalar.ScalarCasts;
import io.lowbit.backend.scalar.ScalarCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The casts' __host__ __device__ code (lowbit_cast.cuh), run on the CPU through the JNI
 * library's host entry points, against the Java reference ScalarCodec, bit for bit. Needs
 * the library (nvcc at build time), not a GPU.
 */
class HostCastCheckTest {
    /** Per format (~1.4M in all), each checked in the 4 modes; -Dlowbit.test.castInputs=N for more. */
    private static final int RANDOM_INPUTS = Integer.getInteger("lowbit.test.castInputs", 1 << 17);

    @BeforeEach
    void library() { NativeTestSupport.assumeLibrary(); }

    @Test
    void formatTableMatchesElementFormat() {
        for (ElementFormat f : ElementFormat.values()) {
            int[] info = new int[5];
            LowbitCuda.lb_host_format_info(NativeFormats.id(f), info);
            assertEquals(f.bits(), info[0], f + " bits");
            assertEquals(f.mantissaBits(), info[1], f + " mantissa bits");
            assertEquals(f.bias(), info[2], f + " bias");
            assertEquals(f.signed() ? 1 : 0, info[3], f + " signed");
            assertEquals(f.maxFinite(), ScalarCodec.decode(f, info[4]), f + " largest finite code");
        }
    }

    @Test
    void decodeEveryCode() {
        for (ElementFormat f : ElementFormat.values()) {
            // every code, plus garbage above the format's bits (must be ignored) for narrow formats
            int count = f.isWide() ? 1 << 16 : 1 << 8;
            int[] codes = new int[count];
            for (int c = 0; c < count; c++) codes[c] = c;
            float[] got = new float[count];
            LowbitCuda.lb_host_decode_codes(NativeFormats.id(f), codes, got, count);
            for (int c = 0; c < count; c++) {
                float want = ScalarCodec.decode(f, c);
                if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got[c])) {
                    assertBits(want, got[c], f + " decode 0x" + Integer.toHexString(c));
                }
            }
            // the kernels' group bodies, through byte[] / short[] codes
            float[] want = new float[count];
            float[] viaGroups = new float[count];
            if (f.isWide()) {
                short[] s = new short[count];
                for (int c = 0; c < count; c++) s[c] = (short) c;
                new ScalarCasts().decode16(f, s, want, count);
                LowbitCuda.lb_host_decode_u16(NativeFormats.id(f), s, viaGroups, count);
            } else {
                byte[] b = new byte[count];
                for (int c = 0; c < count; c++) b[c] = (byte) c;
                new ScalarCasts().decode(f, b, want, count);
                LowbitCuda.lb_host_decode_u8(NativeFormats.id(f), b, viaGroups, count);
            }
            for (int c = 0; c < count; c++) {
                if (Float.floatToRawIntBits(want[c]) != Float.floatToRawIntBits(viaGroups[c])) {
                    assertBits(want[c], viaGroups[c], f + " decode group 0x" + Integer.toHexString(c));
                }
            }
        }
    }

    @Test
    void encodeRandomBitPatternsAndSpecialsEveryFormatAndMode() {
        SplittableRandom rnd = new SplittableRandom(0x10B17L);
        for (ElementFormat f : ElementFormat.values()) {
            float[] x = inputs(f, rnd, RANDOM_INPUTS);
            int[] words = randomInts(rnd, x.length);
            int[] zeros = new int[x.length];
            for (boolean saturate : new boolean[] {false, true}) {
                for (boolean stochastic : new boolean[] {false, true}) {
                    compareEncode(f, x, zeros, words, saturate, stochastic);
                }
            }
        }
    }

    @Test
    void encodeWithScaleExponents() {
        // MX block quantization encodes x * 2^-e exactly (contract 4.3): the same code with scaleExp != 0
        SplittableRandom rnd = new SplittableRandom(42);
        for (ElementFormat f : ElementFormat.values()) {
            float[] x = inputs(f, rnd, 1 << 16);
            int[] scale = new int[x.length];
            for (int i = 0; i < scale.length; i++) scale[i] = rnd.nextInt(-160, 161);
            int[] words = randomInts(rnd, x.length);
            for (boolean saturate : new boolean[] {false, true}) {
                for (boolean stochastic : new boolean[] {false, true}) {
                    compareEncode(f, x, scale, words, saturate, stochastic);
                }
            }
        }
    }

    @Test
    void encodeKernelBodiesWithPhiloxWords() {
        // lb_encode_group / lb_encode_packed_e2m1_group draw their words from Philox per group of 4
        SplittableRandom rnd = new SplittableRandom(7);
        ScalarCasts scalar = new ScalarCasts();
        int[] lengths = {0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 1001, 4099};
        RandomStream[] streams = {RandomStream.of(1), new RandomStream(-5, -1L, 1), new RandomStream(0xDEADBEEFL, -3L, 7),
                new RandomStream(3, 0xFFFFFFFEL, 0), new RandomStream(11, Long.MAX_VALUE - 1, -1)};
        for (ElementFormat f : ElementFormat.values()) {
            for (int n : lengths) {
                float[] x = inputs(f, rnd, n);
                for (RandomStream s : streams) {
                    for (CastOptions o : new CastOptions[] {CastOptions.RNE, CastOptions.RNE_SATURATE,
                            CastOptions.stochastic(s, false), CastOptions.stochastic(s, true)}) {
                        boolean sr = o.random() != null;
                        RandomStream r = sr ? o.random() : RandomStream.of(0);
                        String what = f + " n=" + n + " " + o;
                        if (f.isWide()) {
                            short[] want = new short[n], got = new short[n];
                            scalar.encode16(f, o, x, want, n);
                            LowbitCuda.lb_host_encode_u16(NativeFormats.id(f), x, got, n, o.saturate() ? 1 : 0, sr ? 1 : 0,
                                    r.seed(), r.offset(), r.stream());
                            assertArrayEquals(want, got, what);
                        } else {
                            byte[] want = new byte[n], got = new byte[n];
                            scalar.encode(f, o, x, want, n);
                            LowbitCuda.lb_host_encode_u8(NativeFormats.id(f), x, got, n, o.saturate() ? 1 : 0, sr ? 1 : 0,
                                    r.seed(), r.offset(), r.stream());
                            assertArrayEquals(want, got, what);
                        }
                        if (f == ElementFormat.E2M1) {
                            int bytes = (n + 1) / 2;
                            byte[] want = new byte[bytes + 1], got = new byte[bytes + 1];   // one spare: must stay 0
                            scalar.encodePackedE2M1(o, x, want, n);
                            LowbitCuda.lb_host_encode_packed_e2m1(x, got, n, o.saturate() ? 1 : 0, sr ? 1 : 0,
                                    r.seed(), r.offset(), r.stream());
                            assertArrayEquals(want, got, what + " packed");
                        }
                    }
                }
            }
        }
    }

    private static void compareEncode(ElementFormat f, float[] x, int[] scale, int[] words, boolean saturate,
                                      boolean stochastic) {
        int n = x.length;
        int[] got = new int[n];
        LowbitCuda.lb_host_encode_scaled(NativeFormats.id(f), x, scale, words, got, n, saturate ? 1 : 0, stochastic ? 1 : 0);
        for (int i = 0; i < n; i++) {
            int want = ScalarCodec.encode(f, x[i], scale[i], saturate, stochastic, words[i]);
            if (want != got[i]) {
                fail(f + (saturate ? " saturating" : "") + (stochastic ? " stochastic" : " rne") + ": x = " + x[i] + " (0x"
                        + Integer.toHexString(Float.floatToRawIntBits(x[i])) + "), scaleExp " + scale[i] + ", word 0x"
                        + Integer.toHexString(words[i]) + ": reference 0x" + Integer.toHexString(want) + ", CUDA host code 0x"
                        + Integer.toHexString(got[i]));
            }
        }
    }

    /**
     * Special values, every representable value and the midpoints around it (and their float
     * neighbours), then random bit patterns: a quarter uniform over all 2^32, the rest with an
     * exponent near the format's range, where rounding actually happens.
     */
    static float[] inputs(ElementFormat f, SplittableRandom rnd, int count) {
        List<Float> special = new ArrayList<>();
        float[] fixed = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
                Float.intBitsToFloat(0x7F800001), Float.intBitsToFloat(0xFFC00000), Float.intBitsToFloat(0x7FBFFFFF),
                Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.intBitsToFloat(0x00400000), Float.intBitsToFloat(0x007FFFFF), f.maxFinite(), -f.maxFinite(),
                Math.nextUp(f.maxFinite()), 464f, 61440f, 65520f, 0x1.8p127f, 0.75f, 3f};
        for (float v : fixed) special.add(v);
        int codes = Math.min(f.codeCount(), 1 << 16);
        int stride = f.isWide() ? 61 : 1;   // a sample of the 16-bit formats' 65536 codes
        for (int c = 0; c < codes; c += stride) {
            float v = ScalarCodec.decode(f, c);
            float next = ScalarCodec.decode(f, c + 1);
            if (Float.isNaN(v)) continue;
            special.add(v);
            special.add(Math.nextUp(v));
            special.add(Math.nextDown(v));
            if (!Float.isNaN(next) && !Float.isInfinite(next) && !Float.isInfinite(v) && c + 1 < codes) {
                float mid = (float) (((double) v + next) / 2);   // exact for these narrow formats
                special.add(mid);
                special.add(Math.nextUp(mid));
                special.add(Math.nextDown(mid));
            }
        }
        int total = Math.max(count, 0);
        float[] x = new float[total];
        int i = 0;
        for (; i < total && i < special.size(); i++) x[i] = special.get(i);
        int lowExp = Math.max(1, 127 + (1 - f.bias()) - f.mantissaBits() - 6);
        int highExp = Math.min(254, 127 + (f.bits() == 8 && f.bias() == 127 ? 127 : maxExp(f)) + 3);
        for (; i < total; i++) {
            int bits = rnd.nextInt();
            if ((i & 3) != 0) {
                int e = rnd.nextInt(lowExp, highExp + 1);
                bits = (bits & 0x807FFFFF) | (e << 23);
            }
            x[i] = Float.intBitsToFloat(bits);
        }
        return x;
    }

    private static int maxExp(ElementFormat f) {
        return Math.getExponent(f.maxFinite());
    }

    private static int[] randomInts(SplittableRandom rnd, int n) {
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = rnd.nextInt();
        return w;
    }

    static void assertBits(float want, float got, String what) {
        assertEquals(Integer.toHexString(Float.floatToRawIntBits(want)), Integer.toHexString(Float.floatToRawIntBits(got)), what);
    }
}
