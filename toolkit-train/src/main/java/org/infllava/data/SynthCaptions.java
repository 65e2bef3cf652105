package org.infllava.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;

/**
 * A small synthetic LLaVA-format dataset for CPU runs: each image holds one coloured shape in one cell of a grid, the
 * caption names its colour, shape, row and column ({@code "red square row 1 col 2"}). Writes {@code train.jsonl},
 * {@code images/}, and a word-level {@code tokenizer.json} covering the vocabulary. Deterministic for a seed.
 */
public final class SynthCaptions {

    private static final String[] COLORS = {"red", "green", "blue", "yellow"};
    private static final Color[] RGB = {new Color(220, 30, 30), new Color(30, 170, 50), new Color(40, 70, 220),
        new Color(230, 210, 40)};
    private static final String[] SHAPES = {"square", "disc", "bar"};

    private SynthCaptions() {}

    /**
     * Writes the dataset.
     *
     * @param size image side in pixels
     * @param grid cells per side
     */
    public static void write(Path out, int samples, int size, int grid, long seed) {
        if (samples < 1 || size < 8 || grid < 1 || size / grid < 4) {
            throw new InvalidInputException("synthetic data needs samples >= 1, size >= 8 and cells of >= 4 px; got "
                    + "samples=" + samples + " size=" + size + " grid=" + grid);
        }
        try {
            Files.createDirectories(out.resolve("images"));
            Random r = new Random(seed);
            StringBuilder rows = new StringBuilder();
            int cell = size / grid;
            for (int i = 0; i < samples; i++) {
                int c = r.nextInt(COLORS.length);
                int s = r.nextInt(SHAPES.length);
                int row = r.nextInt(grid);
                int col = r.nextInt(grid);
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(new Color(235, 235, 235));
                g.fillRect(0, 0, size, size);
                g.setColor(RGB[c]);
                int x = col * cell + cell / 4;
                int y = row * cell + cell / 4;
                int w = cell / 2;
                switch (s) {
                    case 0 -> g.fillRect(x, y, w, w);
                    case 1 -> g.fillOval(x, y, w, w);
                    default -> g.fillRect(x, y + w / 3, w, Math.max(1, w / 3));
                }
                g.dispose();
                String name = String.format("img-%05d.png", i);
                ImageFiles.writePng(img, out.resolve("images").resolve(name));
                String caption = COLORS[c] + " " + SHAPES[s] + " row " + row + " col " + col;
                rows.append("{\"id\": \"synth-").append(i).append("\", \"image\": \"images/").append(name)
                        .append("\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image>\\nDescribe.\"}, "
                                + "{\"from\": \"gpt\", \"value\": \"").append(caption).append("\"}]}\n");
            }
            Files.writeString(out.resolve("train.jsonl"), rows, StandardCharsets.UTF_8);
            Files.writeString(out.resolve("tokenizer.json"), tokenizerJson(grid), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidInputException(out, "cannot write synthetic data: " + e.getMessage(), e);
        }
    }

    /** The words of the captions and prompts, for the tokenizer. */
    static List<String> vocabulary(int grid) {
        Set<String> words = new LinkedHashSet<>(List.of("<pad>", "<s>", "</s>", "<unk>", "Describe", "."));
        words.addAll(List.of(COLORS));
        words.addAll(List.of(SHAPES));
        words.add("row");
        words.add("col");
        for (int i = 0; i < grid; i++) {
            words.add(String.valueOf(i));
        }
        return new ArrayList<>(words);
    }

    /** A word-level tokenizer.json (whitespace and punctuation split) over {@link #vocabulary}. */
    static String tokenizerJson(int grid) {
        return wordLevelTokenizer(vocabulary(grid));
    }

    /**
     * A word-level tokenizer.json (whitespace and punctuation split); the first three words are the special tokens
     * (pad, BOS, EOS), and an {@code <unk>} word must be among them or the rest.
     */
    public static String wordLevelTokenizer(List<String> words) {
        StringBuilder vocab = new StringBuilder();
        StringBuilder added = new StringBuilder();
        for (int i = 0; i < words.size(); i++) {
            vocab.append(i == 0 ? "" : ", ").append('"').append(words.get(i)).append("\": ").append(i);
            if (i < 3) {
                added.append(i == 0 ? "" : ", ").append("{\"id\": ").append(i).append(", \"content\": \"")
                        .append(words.get(i)).append("\", \"single_word\": false, \"lstrip\": false, \"rstrip\": "
                                + "false, \"normalized\": false, \"special\": true}");
            }
        }
        return "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [" + added
                + "], \"normalizer\": null, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"post_processor\": null, "
                + "\"decoder\": {\"type\": \"WordPiece\", \"prefix\": \"##\", \"cleanup\": true}, \"model\": {\"type\": "
                + "\"WordLevel\", \"vocab\": {" + vocab + "}, \"unk_token\": \"<unk>\"}}\n";
    }
}
