package org.infllava.eval.bench;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.infllava.eval.MultipleChoice;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;

/**
 * An MMBench TSV: a header row, then one question per row with columns {@code index, question, hint, A, B, C, D,
 * answer, category, l2-category, image} (base64; others such as {@code source}, {@code split} are ignored).
 * Required columns: {@code index}, {@code question}, {@code A}, {@code B}. Empty, {@code nan} and {@code none} cells
 * are absent values, so a question has the options up to its last non-empty letter column. CircularEval copies of a
 * question carry rotated options and an index offset by multiples of 1,000,000 ({@link Row#questionKey}).
 *
 * @param rows the rows, in file order
 * @param hasAnswers whether the file has an {@code answer} column (the test split has none)
 * @param report what reading found; rows are named by the line they start on
 */
public record MmBenchFile(List<Row> rows, boolean hasAnswers, LoadReport report) {

    /** Rotations of one question share {@code index % CIRCULAR_OFFSET}. */
    public static final int CIRCULAR_OFFSET = 1_000_000;

    /**
     * One row.
     *
     * @param index the {@code index} column
     * @param question the question
     * @param hint the hint, or {@code null}
     * @param options option texts, A, B, …
     * @param answer index of the right option, -1 when the file has no answers
     * @param category {@code category}, or {@code null}
     * @param l2Category {@code l2-category}, or {@code null}
     * @param imageBase64 the {@code image} cell, or {@code null} when absent or not kept
     */
    public record Row(int index, String question, String hint, List<String> options, int answer, String category,
            String l2Category, String imageBase64) {

        public Row {
            options = List.copyOf(options);
        }

        /** The question this row rotates: {@code index % 1,000,000}. */
        public String questionKey() {
            return String.valueOf(index % CIRCULAR_OFFSET);
        }

        /** Decodes the image (on each call) with {@link ImageFiles#DEFAULT_MAX_PIXELS}. */
        public BufferedImage image() {
            return image(ImageFiles.DEFAULT_MAX_PIXELS);
        }

        /** Decodes the image (on each call), refusing one whose header announces more than {@code maxPixels}. */
        public BufferedImage image(long maxPixels) {
            if (imageBase64 == null) {
                throw new InvalidInputException("MMBench index " + index + ": no image (absent, or not kept)");
            }
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(imageBase64);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("MMBench index " + index + ": image is not valid base64");
            }
            return ImageFiles.decode(bytes, "MMBench index " + index + ": image", maxPixels);
        }

        /** The scorer's view: id {@code index}, grouped by {@code category} and {@code l2_category}. */
        public MultipleChoice.Item toItem() {
            if (answer < 0) {
                throw new IllegalStateException("MMBench index " + index + " has no answer");
            }
            Map<String, String> groups = new LinkedHashMap<>();
            if (category != null) {
                groups.put("category", category);
            }
            if (l2Category != null) {
                groups.put("l2_category", l2Category);
            }
            return new MultipleChoice.Item(String.valueOf(index), options, answer, groups);
        }
    }

    public MmBenchFile {
        rows = List.copyOf(rows);
    }

    /** Reads {@code tsv}. */
    public static MmBenchFile read(Path tsv, LoadOptions options) {
        RowLog log = new RowLog(tsv, options);
        List<Row> out = new ArrayList<>();
        boolean hasAnswers;
        try (BufferedReader r = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            Tsv in = new Tsv(r);
            List<String> header = in.next();
            if (header == null) {
                throw new InvalidInputException(tsv, "empty file (expected a header row)");
            }
            Map<String, Integer> col = new HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                col.putIfAbsent(header.get(i).strip().replace("\uFEFF", ""), i);
            }
            for (String need : List.of("index", "question", "A", "B")) {
                if (!col.containsKey(need)) {
                    throw new InvalidInputException(tsv, "header lacks column '" + need + "' (has "
                            + InvalidInputException.excerpt(header.toString()) + ")");
                }
            }
            List<Integer> optionCols = new ArrayList<>();
            for (char c = 'A'; c <= 'Z' && col.containsKey(String.valueOf(c)); c++) {
                optionCols.add(col.get(String.valueOf(c)));
            }
            hasAnswers = col.containsKey("answer");
            Integer l2 = col.containsKey("l2-category") ? col.get("l2-category") : col.get("l2_category");
            Set<Integer> seen = new HashSet<>();
            List<String> f;
            while ((f = in.next()) != null) {
                if (f.size() == 1 && f.get(0).isBlank()) {
                    continue;
                }
                log.row();
                try {
                    if (in.unterminated()) {
                        throw new BadRow("unterminated quote");
                    }
                    if (f.size() != header.size()) {
                        throw new BadRow("wrong number of fields", f.size() + " fields, header has " + header.size());
                    }
                    Row row = row(f, col, optionCols, l2, hasAnswers, options.images());
                    if (!seen.add(row.index())) {
                        throw new BadRow("duplicate index", String.valueOf(row.index()));
                    }
                    out.add(row);
                    log.kept();
                } catch (BadRow b) {
                    log.malformed("line " + in.recordLine(), b);
                }
            }
        } catch (IOException e) {
            throw Json.unreadable(tsv, e);
        }
        return new MmBenchFile(out, hasAnswers, log.report());
    }

    private static Row row(List<String> f, Map<String, Integer> col, List<Integer> optionCols, Integer l2,
            boolean hasAnswers, boolean images) throws BadRow {
        String indexText = f.get(col.get("index")).strip();
        int index;
        try {
            index = Integer.parseInt(indexText);
        } catch (NumberFormatException e) {
            throw new BadRow("index is not an integer", "'" + indexText + "'");
        }
        List<String> opts = new ArrayList<>();
        for (int i = 0; i < optionCols.size(); i++) {
            String v = value(f, optionCols.get(i));
            if (v == null) {
                for (int j = i + 1; j < optionCols.size(); j++) {
                    if (value(f, optionCols.get(j)) != null) {
                        throw new BadRow("options not contiguous", MultipleChoice.letter(i) + " empty but "
                                + MultipleChoice.letter(j) + " present");
                    }
                }
                break;
            }
            opts.add(v);
        }
        if (opts.size() < 2) {
            throw new BadRow("fewer than 2 options");
        }
        int answer = -1;
        if (hasAnswers) {
            String a = value(f, col.get("answer"));
            if (a == null) {
                throw new BadRow("missing field 'answer'");
            }
            a = a.strip();
            if (a.length() != 1 || a.charAt(0) < 'A' || a.charAt(0) - 'A' >= opts.size()) {
                throw new BadRow("answer names no option", "'" + a + "' with " + opts.size() + " options");
            }
            answer = a.charAt(0) - 'A';
        }
        String question = value(f, col.get("question"));
        if (question == null) {
            throw new BadRow("missing field 'question'");
        }
        return new Row(index, question, value(f, col.get("hint")), opts, answer, value(f, col.get("category")),
                value(f, l2), images ? value(f, col.get("image")) : null);
    }

    /** The cell, or {@code null} for no column, an empty cell, "nan" or "none". */
    private static String value(List<String> f, Integer column) {
        if (column == null) {
            return null;
        }
        String v = f.get(column);
        String t = v.strip().toLowerCase(Locale.ROOT);
        return t.isEmpty() || t.equals("nan") || t.equals("none") ? null : v;
    }

    /** The scorer's items (every row; requires {@link #hasAnswers}). */
    public List<MultipleChoice.Item> items() {
        return rows.stream().map(Row::toItem).toList();
    }
}
