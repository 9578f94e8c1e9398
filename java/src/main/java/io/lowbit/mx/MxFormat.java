package io.lowbit.mx;

import io.lowbit.ElementFormat;

import java.util.Locale;

/**
 * The block formats lowbit quantizes to: MX (contract 4, E8M0 power-of-two scales, block 32
 * by default) and scaled E2M1 (contract 5, NVFP4 with UE4M3 scales, or UE5M3 scales, block 16
 * and a float32 tensor scale).
 */
public enum MxFormat {
    MXFP4("mxfp4", ElementFormat.E2M1, ElementFormat.E8M0),
    MXFP6_E2M3("mxfp6-e2m3", ElementFormat.E2M3, ElementFormat.E8M0),
    MXFP6_E3M2("mxfp6-e3m2", ElementFormat.E3M2, ElementFormat.E8M0),
    MXFP8_E4M3("mxfp8-e4m3", ElementFormat.E4M3, ElementFormat.E8M0),
    MXFP8_E5M2("mxfp8-e5m2", ElementFormat.E5M2, ElementFormat.E8M0),
    MXINT8("mxint8", ElementFormat.INT8, ElementFormat.E8M0),
    NVFP4("nvfp4", ElementFormat.E2M1, ElementFormat.UE4M3),
    UE5M3("ue5m3", ElementFormat.E2M1, ElementFormat.UE5M3);

    private final String id;
    private final ElementFormat element;
    private final ElementFormat scale;

    MxFormat(String id, ElementFormat element, ElementFormat scale) {
        this.id = id;
        this.element = element;
        this.scale = scale;
    }

    /** The command-line name, e.g. "mxfp6-e2m3". */
    public String id() { return id; }
    public ElementFormat element() { return element; }
    public ElementFormat scaleFormat() { return scale; }
    /** True for NVFP4 and UE5M3 (contract 5), false for MX (contract 4). */
    public boolean isScaled() { return scale != ElementFormat.E8M0; }
    public int defaultBlockSize() { return isScaled() ? 16 : 32; }

    /** The MX format whose elements are {@code elem} (E2M1 gives MXFP4). */
    public static MxFormat mxOf(ElementFormat elem) {
        for (MxFormat f : values()) if (!f.isScaled() && f.element == elem) return f;
        throw new IllegalArgumentException("elem must be one of E2M1, E2M3, E3M2, E4M3, E5M2, INT8, got " + elem);
    }

    /**
     * Parses a format name: the ids above in any case, '_' accepted for '-'.
     *
     * @throws IllegalArgumentException naming {@code argName} and the accepted names
     */
    public static MxFormat parse(String argName, String s) {
        if (s != null) {
            String n = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            for (MxFormat f : values()) if (f.id.equals(n)) return f;
        }
        StringBuilder names = new StringBuilder();
        for (MxFormat f : values()) names.append(names.length() == 0 ? "" : ", ").append(f.id);
        throw new IllegalArgumentException(argName + " must be one of " + names + "; got '" + s + "'");
    }

    @Override
    public String toString() { return id; }
}
