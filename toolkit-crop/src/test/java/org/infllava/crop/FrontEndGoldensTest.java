package org.infllava.crop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.infllava.io.ImageFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every registered front-end against {@code src/test/resources/frontends/goldens.json}, written by the committed
 * {@code make_goldens.py}, which restates each published preprocessing (LLaVA, LLaVA-NeXT, InternVL, S², Monkey)
 * with Pillow and NumPy on real photographs from scikit-image, cropped and stretched to aspect ratios from 1:6 to
 * 6.7:1 and down to 200×150, plus two JPEGs (one with an Adobe RGB ICC profile), at S = 336 and on a few images at
 * S = 224 and 448. Views must match pixel for pixel (SHA-256 of the RGB bytes); roles, grid positions and
 * source boxes exactly; visual tokens exactly (patch 14).
 */
class FrontEndGoldensTest {

    private static final Path DIR = Path.of("src/test/resources/frontends");

    static Stream<Arguments> cases() throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(DIR.resolve("goldens.json"))).getAsJsonObject();
        List<Arguments> out = new ArrayList<>();
        for (JsonElement e : root.getAsJsonArray("images")) {
            JsonObject img = e.getAsJsonObject();
            for (String key : img.getAsJsonObject("strategies").keySet()) {
                // "name" at the default size, "name@S" at another view size S
                int at = key.indexOf('@');
                String strategy = at < 0 ? key : key.substring(0, at);
                int size = at < 0 ? root.get("sub_size").getAsInt() : Integer.parseInt(key.substring(at + 1));
                out.add(Arguments.of(img.get("file").getAsString(), strategy,
                        img.getAsJsonObject("strategies").getAsJsonObject(key), size, root.get("patch").getAsInt()));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} at {3} on {0}")
    @MethodSource("cases")
    void viewsLayoutAndTokensEqualThePublishedPreprocessing(String file, String strategy, JsonObject golden,
            int subSize, int patch) {
        BufferedImage img = ClipPreprocessor.toRgb(ImageFiles.read(DIR.resolve(file)));
        CropStrategy s = CropStrategies.get(strategy, subSize);
        CropViews views = s.views(img);
        JsonArray expected = golden.getAsJsonArray("views");
        String what = strategy + " on " + file;
        assertEquals(expected.size(), views.count(), what + ": view count");
        for (int i = 0; i < expected.size(); i++) {
            JsonObject v = expected.get(i).getAsJsonObject();
            ViewSlot slot = views.layout().slots().get(i);
            String at = what + ", view " + i;
            assertEquals(v.get("role").getAsString(), slot.role().label(), at + ": role");
            assertEquals(v.get("row").getAsInt(), slot.row(), at + ": row");
            assertEquals(v.get("col").getAsInt(), slot.col(), at + ": col");
            if (v.get("box").isJsonNull()) {
                assertNull(slot.box(), at + ": box");
            } else {
                JsonArray b = v.getAsJsonArray("box");
                assertEquals(new PixelBox(b.get(0).getAsInt(), b.get(1).getAsInt(), b.get(2).getAsInt(),
                        b.get(3).getAsInt()), slot.box(), at + ": box");
            }
            assertEquals(v.get("sha256").getAsString(), sha256(views.images().get(i)), at + ": pixels");
        }
        EncoderSpec enc = EncoderSpec.clipVitL14x336().withResolution(subSize, patch);
        assertEquals(golden.get("visual_tokens").getAsLong(), s.budget(views.layout(), enc).visualTokens(),
                what + ": visual tokens");
    }

    /** SHA-256 of the view's RGB bytes, row-major, as NumPy's {@code (H, W, 3)} uint8 {@code tobytes()}. */
    static String sha256(BufferedImage img) {
        int[] px = GridMaps.pixels(img);
        byte[] bytes = new byte[px.length * 3];
        for (int i = 0; i < px.length; i++) {
            bytes[3 * i] = (byte) (px[i] >> 16);
            bytes[3 * i + 1] = (byte) (px[i] >> 8);
            bytes[3 * i + 2] = (byte) px[i];
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
