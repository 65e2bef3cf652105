package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.GridMaps;
import org.infllava.io.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code infllava crop --strategy} and {@code infllava tokens --strategy --json} against the goldens that
 * toolkit-crop/src/test/resources/frontends/make_goldens.py computes from the published preprocessing (Pillow and
 * NumPy), and against token budgets derived by hand.
 */
class FrontEndCommandsTest {

    private static final Path FRONTENDS = Path.of("../toolkit-crop/src/test/resources/frontends");

    @TempDir
    Path dir;

    private static JsonObject golden(String file, String strategy) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(FRONTENDS.resolve("goldens.json"))).getAsJsonObject();
        for (JsonElement e : root.getAsJsonArray("images")) {
            if (e.getAsJsonObject().get("file").getAsString().equals(file)) {
                return e.getAsJsonObject().getAsJsonObject("strategies").getAsJsonObject(strategy);
            }
        }
        throw new AssertionError("no golden for " + file);
    }

    private static String sha256(BufferedImage img) throws Exception {
        int[] px = GridMaps.pixels(img);
        byte[] bytes = new byte[px.length * 3];
        for (int i = 0; i < px.length; i++) {
            bytes[3 * i] = (byte) (px[i] >> 16);
            bytes[3 * i + 1] = (byte) (px[i] >> 8);
            bytes[3 * i + 2] = (byte) px[i];
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @ParameterizedTest
    @CsvSource({
        "images/chelsea-tiny.png,    llava-1.5",
        "images/coffee-wide.png,     llava-next-anyres",
        "images/rocket-portrait.png, internvl-dynamic",
        "images/chelsea-tiny.png,    s2",
        "images/motorcycle-tall.png, monkey",
        "images/chelsea-tiny.png,    inf-dcm",
        "images/coffee-wide.png,     inf-dcm-auto"})
    void cropWritesTheViewsOfThePublishedPreprocessing(String file, String strategy) throws Exception {
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("crop", FRONTENDS.resolve(file).toString(), "--strategy", strategy, "--out",
                out.toString());
        assertEquals(0, run.code(), run.err());
        JsonArray want = golden(file, strategy).getAsJsonArray("views");
        JsonObject m = JsonParser.parseString(Files.readString(out.resolve("manifest.json"))).getAsJsonObject();
        assertEquals(strategy, m.get("strategy").getAsString());
        JsonArray views = m.getAsJsonArray("views");
        assertEquals(want.size(), views.size());
        Set<String> expected = new TreeSet<>(Set.of("manifest.json"));
        for (int k = 0; k < want.size(); k++) {
            JsonObject w = want.get(k).getAsJsonObject();
            JsonObject v = views.get(k).getAsJsonObject();
            assertEquals("view-" + k + ".png", v.get("file").getAsString());
            assertEquals(w.get("role"), v.get("role"), strategy + " view " + k);
            assertEquals(w.get("box"), v.get("box"), strategy + " view " + k);
            BufferedImage img = ClipPreprocessor.toRgb(ImageFiles.read(out.resolve(v.get("file").getAsString())));
            assertEquals(w.get("sha256").getAsString(), sha256(img), strategy + " view " + k + " pixels");
            expected.add("view-" + k + ".png");
            if (strategy.startsWith("inf-dcm")) {
                String role = w.get("role").getAsString();
                String legacy = role.equals("low-res") ? "low-res.png"
                        : role + "-" + w.get("row").getAsInt() + "-" + w.get("col").getAsInt() + ".png";
                expected.add(legacy);
                BufferedImage same = ClipPreprocessor.toRgb(ImageFiles.read(out.resolve(legacy)));
                assertEquals(w.get("sha256").getAsString(), sha256(same), legacy);
            }
        }
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(expected, s.map(p -> p.getFileName().toString())
                    .collect(Collectors.toCollection(TreeSet::new)));
        }
    }

    /**
     * 1920×1080 on CLIP-ViT-L/14-336 (577 tokens a pass, 381,918,216,192 FLOPs a pass, {@code TokenBudgetTest}):
     * llava-1.5 1 view, 576 tokens; anyres 2×2 + base, 576 + 28·49 = 1948; InternVL 4×2 + thumbnail, 9·144 = 1296;
     * S² 14 views, 576; Monkey 5 views, 5·576 = 2880; INF-DCM 19 views, 576 (derivations in
     * {@code FrontEndStrategiesTest}).
     */
    @ParameterizedTest
    @CsvSource({
        "llava-1.5,         1,  576",
        "llava-next-anyres, 5,  1948",
        "internvl-dynamic,  9,  1296",
        "s2,                14, 576",
        "monkey,            5,  2880",
        "inf-dcm,           19, 576"})
    void tokensJsonGivesTheBudget(String strategy, int views, long tokens) {
        CliRun run = CliRun.of("tokens", "--strategy", strategy, "--width", "1920", "--height", "1080", "--json");
        assertEquals(0, run.code(), run.err());
        assertEquals(1, run.out().strip().lines().count(), run.out());
        JsonObject o = JsonParser.parseString(run.out()).getAsJsonObject();
        assertEquals(strategy, o.get("strategy").getAsString());
        assertEquals(views, o.get("views").getAsInt());
        assertEquals(views, o.get("encoder_passes").getAsInt());
        assertEquals(tokens, o.get("visual_tokens").getAsLong());
        assertEquals(381_918_216_192L * views, o.get("encoder_flops").getAsLong());
    }

    /** --sub-size 448 --patch 14 (InternVL's own setting): 32×32 patches, pixel shuffle → 256 tokens per view. */
    @Test
    void tokensFollowSubSizeAndPatch() {
        CliRun run = CliRun.of("tokens", "--strategy", "internvl-dynamic", "--width", "448", "--height", "448",
                "--sub-size", "448", "--json");
        assertEquals(0, run.code(), run.err());
        // 448² = 200,704 ≤ 0.5·448²·4: the tie stays at 1×1, one view, no thumbnail
        JsonObject o = JsonParser.parseString(run.out()).getAsJsonObject();
        assertEquals(1, o.get("views").getAsInt());
        assertEquals(256, o.get("visual_tokens").getAsLong());
        assertEquals(1025, o.get("tokens_per_pass").getAsLong());
    }

    private void assertBadInput(CliRun run, String... fragments) throws IOException {
        assertEquals(Main.EXIT_BAD_INPUT, run.code(), run.out() + run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
        for (String f : fragments) {
            assertTrue(run.err().contains(f), "'" + run.err().strip() + "' lacks '" + f + "'");
        }
        assertFalse(Files.exists(dir.resolve("out")), "no output directory left behind");
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".out")), "no temporary directory left");
        }
    }

    @Test
    void badInputIsOneLineAndLeavesNothing() throws IOException {
        String img = FRONTENDS.resolve("images/chelsea-tiny.png").toString();
        String out = dir.resolve("out").toString();
        assertBadInput(CliRun.of("crop", img, "--strategy", "nope", "--out", out), "--strategy", "nope",
                "llava-next-anyres");
        assertBadInput(CliRun.of("crop", img, "--strategy", "s2", "--grid", "2x2", "--out", out), "--grid");
        assertBadInput(CliRun.of("crop", img, "--strategy", "s2", "--sub-size", "0", "--out", out), "--sub-size");
        assertBadInput(CliRun.of("crop", img, "--strategy", "s2", "--sub-size", "100000", "--out", out), "--sub-size");
        Path txt = dir.resolve("notes.txt");
        Files.writeString(txt, "not an image");
        assertBadInput(CliRun.of("crop", txt.toString(), "--strategy", "monkey", "--out", out), "notes.txt");
        assertBadInput(CliRun.of("crop", dir.resolve("missing.png").toString(), "--strategy", "monkey", "--out", out),
                "missing.png");
        assertBadInput(CliRun.of("tokens", "--strategy", "nope", "--width", "5", "--height", "5", "--json"),
                "--strategy");
        assertBadInput(CliRun.of("tokens", "--strategy", "internvl-dynamic", "--width", "500", "--height", "500",
                "--patch", "16", "--json"), "pixel shuffle");
        assertBadInput(CliRun.of("tokens", "--width", "500", "--height", "500", "--json"), "--json");
        assertBadInput(CliRun.of("tokens", "--strategy", "s2", "--width", "0", "--height", "500"), "--width");
    }
}
