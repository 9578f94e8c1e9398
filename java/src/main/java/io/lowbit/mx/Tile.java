package io.lowbit.mx;

/** The amax region of one scale in scaled quantization (contract 5). */
public enum Tile {
    /** One scale per 16 consecutive elements of a row. */
    T1X16("1x16"),
    /** One amax per 16x16 tile, its scale repeated on the tile's 16 rows. */
    T16X16("16x16");

    private final String id;

    Tile(String id) { this.id = id; }

    public String id() { return id; }

    public static Tile parse(String argName, String s) {
        if (s != null) for (Tile t : values()) if (t.id.equalsIgnoreCase(s.trim())) return t;
        throw new IllegalArgumentException(argName + " must be '1x16' or '16x16', got '" + s + "'");
    }

    @Override
    public String toString() { return id; }
}
