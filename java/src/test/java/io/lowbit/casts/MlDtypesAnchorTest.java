package io.lowbit.casts;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.lowbit.CastOptions;
import io.lowbit.Casts;
import io.lowbit.ElementFormat;
import io.lowbit.Rounding;
import io.lowbit.backend.Backend;
import io.lowbit.backend.Backends;
import io.lowbit.io.Npy;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shared ml_dtypes anchors (independent facts), on every available backend. */
class MlDtypesAnchorTest {
    private static final Path DIR = Path.of("/work/shared/vectors/anchors/cast");

    @Test
    void everyBackendMatchesMlDtypes() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "no shared anchors here");
        int cases = 0;
        try (var files = Files.list(DIR)) {
            for (Path json : (Iterable<Path>) files.filter(p -> p.toString().endsWith("_mldtypes.json")).sorted()::iterator) {
                JsonObject params = JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonObject("params");
                ElementFormat f = ElementFormat.parse(params.get("format").getAsString());
                CastOptions o = new CastOptions(Rounding.parse("rounding", params.get("rounding").getAsString()),
                        params.get("saturate").getAsBoolean(), null);
                String stem = json.toString().replace(".json", "");
                float[] x = Npy.read(Path.of(stem + ".x.npy")).floats();
                Object expected = Npy.read(Path.of(stem + ".codes.npy")).data();
                for (Backend b : Backends.available()) {
                    Casts casts = Casts.on(b);
                    if (f.isWide()) {
                        short[] got = casts.encodeShorts(f, x, o);
                        for (int i = 0; i < x.length; i++) {
                            assertEquals(((short[]) expected)[i] & 0xFFFF, got[i] & 0xFFFF, b.name() + " " + f + " x=" + x[i]);
                        }
                    } else {
                        byte[] got = casts.encodeBytes(f, x, o);
                        for (int i = 0; i < x.length; i++) {
                            assertEquals(((byte[]) expected)[i] & 0xFF, got[i] & 0xFF, b.name() + " " + f + " x=" + x[i]);
                        }
                    }
                    cases++;
                }
            }
        }
        assertEquals(6 * Backends.available().size(), cases, "anchor files: BF16 E2M1 E2M3 E3M2 E4M3 E5M2");
    }
}
