package org.infllava.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.GridMaps;
import org.infllava.io.ImageFiles;
import org.infllava.io.TestImages;
import org.infllava.io.HostTensor;
import org.infllava.io.NpyArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The crop contract of {@code infllava crop}, checked pixel-exactly against NumPy slices and Pillow resizes computed
 * by toolkit-crop/src/test/python/make_crop_goldens.py (an independent implementation).
 */
class CropCommandTest {

    private static final Path GOLDEN = Path.of("../toolkit-crop/src/test/resources/golden");

    @TempDir
    Path dir;

    private static int[] packed(HostTensor a) {
        int n = (int) (a.shape()[0] * a.shape()[1]);
        int[] px = new int[n];
        for (int i = 0; i < n; i++) {
            px[i] = ((int) a.data()[3 * i] << 16) | ((int) a.data()[3 * i + 1] << 8) | (int) a.data()[3 * i + 2];
        }
        return px;
    }

    @ParameterizedTest
    @CsvSource({
        "none_s10,     10, auto, none,     7, 5, 70, 50, false",
        "truncate_s16, 16, auto, truncate, 4, 3, 64, 48, false",
        "grid_s12_3x2, 12, 3x2,  grid,     3, 2, 36, 24, false",
        "pad_s16_2x2,  16, 2x2,  pad,      2, 2, 32, 32, true"})
    void writesCropsThatMatchTheIndependentImplementation(String golden, int sub, String grid, String resize,
            int cols, int rows, int rw, int rh, boolean lowRes) throws IOException {
        Path out = dir.resolve("out");
        List<String> args = new java.util.ArrayList<>(List.of("crop", GOLDEN.resolve("contract_src.png").toString(),
                "--out", out.toString(), "--sub-size", String.valueOf(sub), "--grid", grid, "--resize", resize,
                "--max-grid", "8"));
        if (lowRes) {
            args.add("--low-res");
        }
        if (!grid.equals("auto")) {
            args.remove("--max-grid");
            args.remove("8");
        }
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.code(), run.err());
        Set<String> expectedFiles = new java.util.TreeSet<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                for (String p : new String[] {"local", "global"}) {
                    String name = p + "-" + r + "-" + c;
                    expectedFiles.add(name + ".png");
                    BufferedImage img = ClipPreprocessor.toRgb(ImageFiles.read(out.resolve(name + ".png")));
                    HostTensor want = NpyArrays.readConverting(GOLDEN.resolve("contract_" + golden + "_" + name + ".npy"));
                    assertEquals(want.shape()[0], img.getHeight());
                    assertArrayEquals(packed(want), GridMaps.pixels(img), golden + " " + name);
                }
            }
        }
        if (lowRes) {
            expectedFiles.add("low-res.png");
            assertArrayEquals(packed(NpyArrays.readConverting(GOLDEN.resolve("contract_" + golden + "_low-res.npy"))),
                    GridMaps.pixels(ClipPreprocessor.toRgb(ImageFiles.read(out.resolve("low-res.png")))));
        }
        expectedFiles.add("manifest.json");
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(expectedFiles, s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(
                    java.util.TreeSet::new)));
        }
        JsonObject m = JsonParser.parseString(Files.readString(out.resolve("manifest.json"))).getAsJsonObject();
        assertEquals(70, m.getAsJsonObject("source").get("width").getAsInt());
        assertEquals(50, m.getAsJsonObject("source").get("height").getAsInt());
        assertEquals(rw, m.getAsJsonObject("resized").get("width").getAsInt());
        assertEquals(rh, m.getAsJsonObject("resized").get("height").getAsInt());
        assertEquals(cols, m.getAsJsonObject("grid").get("columns").getAsInt());
        assertEquals(sub, m.getAsJsonObject("subImage").get("width").getAsInt());
        assertEquals(resize, m.get("policy").getAsString());
        JsonArray files = m.getAsJsonArray("files");
        assertEquals(2 * cols * rows + (lowRes ? 1 : 0), files.size());
        // global-1-1: offset (x, y) = (1, 1), stride (cols, rows); local-1-1: offset (sub, sub), stride 1.
        for (var e : files) {
            JsonObject f = e.getAsJsonObject();
            if (f.get("file").getAsString().equals("global-1-1.png")) {
                assertEquals(1, f.getAsJsonObject("offset").get("x").getAsInt());
                assertEquals(cols, f.getAsJsonObject("stride").get("x").getAsInt());
                assertEquals(rows, f.getAsJsonObject("stride").get("y").getAsInt());
            }
            if (f.get("file").getAsString().equals("local-1-1.png")) {
                assertEquals(sub, f.getAsJsonObject("offset").get("y").getAsInt());
                assertEquals(1, f.getAsJsonObject("stride").get("y").getAsInt());
            }
        }
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

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private CliRun crop(Path image, String... extra) {
        List<String> a = new java.util.ArrayList<>(List.of("crop", image.toString(), "--out", dir.resolve("out").toString()));
        a.addAll(Arrays.asList(extra));
        return CliRun.of(a.toArray(String[]::new));
    }

    @Test
    void badInputsGiveOneLineExitTwoAndNoOutput() throws IOException {
        Path txt = file("notes.txt", "not an image".getBytes());
        assertBadInput(crop(txt), "notes.txt", "not a supported image");
        assertBadInput(crop(file("empty.png", new byte[0])), "empty.png", "empty file");
        byte[] png = TestImages.png(40, 40);
        assertBadInput(crop(file("cut.png", Arrays.copyOf(png, png.length / 2))), "cut.png", "truncated");
        byte[] jpg = TestImages.jpeg(40, 40);
        assertBadInput(crop(file("cut.jpg", Arrays.copyOf(jpg, jpg.length / 2))), "cut.jpg", "truncated");
        Path small = file("small.png", TestImages.png(30, 20));
        assertBadInput(crop(small, "--sub-size", "32", "--resize", "none"), "small.png", "exact multiple");
        assertBadInput(crop(small, "--sub-size", "32", "--resize", "truncate"), "small.png", "smaller than one sub-image");
        assertBadInput(crop(file("huge.png", TestImages.pngHeaderOnly(12000, 9000))), "huge.png",
                "108000000 pixels", "limit");
        assertBadInput(crop(small, "--grid", "0x3"), "--grid", "0x3");
        assertBadInput(crop(small, "--grid", "three"), "--grid", "three");
        assertBadInput(crop(small, "--sub-size", "-4"), "--sub-size", "-4");
        assertBadInput(crop(small, "--resize", "squash"), "--resize", "squash");
        assertBadInput(crop(dir.resolve("missing.png")), "missing.png", "no such file");
    }

    @Test
    void unwritableOutputDirectoryIsRefused() throws IOException {
        Path small = file("small.png", TestImages.png(32, 32));
        Path blocker = file("blocker", new byte[] {1});
        CliRun run = CliRun.of("crop", small.toString(), "--out", blocker.resolve("sub").toString(), "--sub-size", "16");
        assertEquals(Main.EXIT_BAD_INPUT, run.code(), run.err());
        assertTrue(run.err().contains("blocker") && run.err().contains("not a directory"), run.err());
        assertEquals(1, Files.size(blocker), "the blocking file is untouched");
    }

    @Test
    void existingOutputIsKeptUnlessForced() throws IOException {
        Path small = file("small.png", TestImages.png(32, 32));
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "precious");
        CliRun refused = CliRun.of("crop", small.toString(), "--out", out.toString(), "--sub-size", "16");
        assertEquals(Main.EXIT_BAD_INPUT, refused.code());
        assertTrue(refused.err().contains("--force"), refused.err());
        assertEquals("precious", Files.readString(out.resolve("keep.txt")));
        CliRun forced = CliRun.of("crop", small.toString(), "--out", out.toString(), "--sub-size", "16", "--force");
        assertEquals(0, forced.code(), forced.err());
        assertFalse(Files.exists(out.resolve("keep.txt")));
        assertTrue(Files.exists(out.resolve("global-1-1.png")));
    }
}
