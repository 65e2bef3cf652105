package org.infllava.eval.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.infllava.io.InvalidInputException;

/**
 * The MMBench leaderboard's upload file, as LLaVA's {@code convert_mmbench_for_submission.py} writes it: the TSV read
 * as pandas {@code read_table} reads it, the columns {@code hint, category, source, image, comment, l2-category}
 * dropped (those present; the script needs all six), a {@code prediction} column inserted as the seventh, set to
 * the {@code text} of the last answer row whose numeric {@code question_id} equals the row's {@code index} (a string
 * id never equals pandas' integer index), and written as an {@code .xlsx} sheet without the index.
 *
 * <p>Cells keep pandas' types: a column whose every value is an integer is numeric (a float column when it has
 * empty cells), one whose every value is a number is numeric, {@code True}/{@code False} columns are booleans,
 * anything else is text; pandas' missing-value markers ({@code nan}, {@code NA}, {@code null}, empty, …) are empty
 * cells. The workbook is a minimal SpreadsheetML package (one sheet, inline strings), written by hand.
 */
public final class MmBenchSubmission {

    /** The columns the script drops. */
    static final List<String> DROPPED = List.of("hint", "category", "source", "image", "comment", "l2-category");
    /** pandas' default missing-value markers ({@code STR_NA_VALUES}, pandas 1.5). */
    static final Set<String> NA = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
            "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null");
    private static final Pattern INT = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?i:inf|infinity)");
    private static final Set<String> BOOL = Set.of("True", "False", "TRUE", "FALSE", "true", "false");

    private MmBenchSubmission() {}

    /** A column as pandas types it. */
    private enum Kind { INT, FLOAT, BOOL, TEXT }

    /** Writes the upload file for {@code tsv} and the answer {@code rows} to {@code xlsx}. */
    public static void write(Path tsv, AnswerRows rows, Path xlsx) {
        List<String> header;
        List<List<String>> records = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(tsv, StandardCharsets.UTF_8)) {
            Tsv in = new Tsv(r);
            header = in.next();
            if (header == null) {
                throw new InvalidInputException(tsv, "empty file (expected a header row)");
            }
            header = new ArrayList<>(header);
            header.set(0, header.get(0).replace("\uFEFF", ""));
            List<String> f;
            while ((f = in.next()) != null) {
                if (f.size() == 1 && f.get(0).isBlank()) {
                    continue;
                }
                if (f.size() != header.size()) {
                    throw new InvalidInputException(tsv, "line " + in.recordLine() + ": " + f.size()
                            + " fields, the header has " + header.size());
                }
                records.add(f);
            }
        } catch (IOException e) {
            throw Json.unreadable(tsv, e);
        }
        int indexCol = header.indexOf("index");
        if (indexCol < 0) {
            throw new InvalidInputException(tsv, "header lacks column 'index'");
        }
        List<Integer> keep = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            if (!DROPPED.contains(header.get(c))) {
                keep.add(c);
            }
        }
        if (keep.size() < 6) {
            throw new InvalidInputException(tsv, "fewer than 6 columns besides " + DROPPED
                    + " (the prediction column goes seventh)");
        }
        Kind[] kinds = new Kind[header.size()];
        boolean[] hasNa = new boolean[header.size()];
        for (int c = 0; c < header.size(); c++) {
            kinds[c] = kindOf(records, c, hasNa);
        }
        Map<String, String> byIndex = new HashMap<>();
        for (AnswerRows.Row row : rows.rows()) {
            if (row.idIsNumber()) {
                byIndex.put(row.id(), row.text());
            }
        }
        List<List<Object>> sheet = new ArrayList<>();
        List<Object> head = new ArrayList<>();
        for (int c : keep) {
            head.add(header.get(c));
        }
        head.add(6, "prediction");
        sheet.add(head);
        for (List<String> f : records) {
            List<Object> out = new ArrayList<>();
            for (int c : keep) {
                out.add(value(f.get(c), kinds[c], hasNa[c]));
            }
            Object index = value(f.get(indexCol), kinds[indexCol], hasNa[indexCol]);
            String key = index instanceof Number n ? canonical(n) : null;
            out.add(6, key == null ? null : byIndex.get(key));
            sheet.add(out);
        }
        writeXlsx(xlsx, sheet);
    }

    private static Kind kindOf(List<List<String>> records, int c, boolean[] hasNa) {
        boolean ints = true;
        boolean floats = true;
        boolean bools = true;
        boolean any = false;
        for (List<String> f : records) {
            String v = f.get(c);
            if (NA.contains(v)) {
                hasNa[c] = true;
                continue;
            }
            any = true;
            ints &= INT.matcher(v).matches();
            floats &= FLOAT.matcher(v).matches();
            bools &= BOOL.contains(v);
        }
        if (!any) {
            return Kind.FLOAT;
        }
        return ints ? (hasNa[c] ? Kind.FLOAT : Kind.INT) : floats ? Kind.FLOAT : bools && !hasNa[c] ? Kind.BOOL
                : Kind.TEXT;
    }

    private static Object value(String v, Kind kind, boolean hasNa) {
        if (NA.contains(v)) {
            return null;
        }
        return switch (kind) {
            case INT -> Long.parseLong(v.startsWith("+") ? v.substring(1) : v);
            case FLOAT -> v.toLowerCase(Locale.ROOT).contains("inf") ? (v.startsWith("-") ? Double.NEGATIVE_INFINITY
                    : Double.POSITIVE_INFINITY) : Double.parseDouble(v);
            case BOOL -> Boolean.parseBoolean(v.toLowerCase(Locale.ROOT));
            case TEXT -> v;
        };
    }

    /** An index value as {@link AnswerRows.Row#id()} writes a numeric id ({@code 5.0} as "5"). */
    private static String canonical(Number n) {
        if (n instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                return null;
            }
            return new java.math.BigDecimal(d).stripTrailingZeros().toPlainString();
        }
        return n.toString();
    }

    private static void writeXlsx(Path xlsx, List<List<Object>> sheet) {
        StringBuilder rowsXml = new StringBuilder();
        for (int r = 0; r < sheet.size(); r++) {
            rowsXml.append("<row r=\"").append(r + 1).append("\">");
            List<Object> row = sheet.get(r);
            for (int c = 0; c < row.size(); c++) {
                Object v = row.get(c);
                if (v == null) {
                    continue;
                }
                String ref = column(c) + (r + 1);
                if (v instanceof Boolean b) {
                    rowsXml.append("<c r=\"").append(ref).append("\" t=\"b\"><v>").append(b ? 1 : 0).append("</v></c>");
                } else if (v instanceof Number n) {
                    if (n instanceof Double d && (d.isNaN() || d.isInfinite())) {
                        continue;
                    }
                    rowsXml.append("<c r=\"").append(ref).append("\"><v>").append(n).append("</v></c>");
                } else {
                    rowsXml.append("<c r=\"").append(ref).append("\" t=\"inlineStr\"").append(r == 0 ? " s=\"1\"" : "")
                            .append("><is><t xml:space=\"preserve\">").append(xml(xlsx, v.toString()))
                            .append("</t></is></c>");
                }
            }
            rowsXml.append("</row>");
        }
        Map<String, String> parts = new java.util.LinkedHashMap<>();
        parts.put("[Content_Types].xml", XML + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                + "content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package"
                + ".relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override "
                + "PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument."
                + "spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\""
                + "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\""
                + "/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles"
                + "+xml\"/></Types>");
        parts.put("_rels/.rels", XML + "<Relationships xmlns=\"" + PKG_RELS + "\"><Relationship Id=\"rId1\" Type=\""
                + DOC_RELS + "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
        parts.put("xl/workbook.xml", XML + "<workbook xmlns=\"" + MAIN + "\" xmlns:r=\"" + DOC_RELS + "\"><sheets>"
                + "<sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
        parts.put("xl/_rels/workbook.xml.rels", XML + "<Relationships xmlns=\"" + PKG_RELS + "\"><Relationship "
                + "Id=\"rId1\" Type=\"" + DOC_RELS + "/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship "
                + "Id=\"rId2\" Type=\"" + DOC_RELS + "/styles\" Target=\"styles.xml\"/></Relationships>");
        parts.put("xl/styles.xml", XML + "<styleSheet xmlns=\"" + MAIN + "\"><fonts count=\"2\"><font><sz val=\"11\"/>"
                + "<name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
                + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill "
                + "patternType=\"gray125\"/></fill></fills><borders count=\"2\"><border><left/><right/><top/><bottom/>"
                + "<diagonal/></border><border><left style=\"thin\"/><right style=\"thin\"/><top style=\"thin\"/>"
                + "<bottom style=\"thin\"/><diagonal/></border></borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" "
                + "fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs><cellXfs count=\"2\"><xf numFmtId=\"0\" "
                + "fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/><xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" "
                + "borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment "
                + "horizontal=\"center\" vertical=\"top\"/></xf></cellXfs></styleSheet>");
        parts.put("xl/worksheets/sheet1.xml", XML + "<worksheet xmlns=\"" + MAIN + "\"><sheetData>" + rowsXml
                + "</sheetData></worksheet>");
        Path tmp = xlsx.resolveSibling(xlsx.getFileName() + ".tmp");
        try {
            if (xlsx.toAbsolutePath().getParent() != null) {
                Files.createDirectories(xlsx.toAbsolutePath().getParent());
            }
            try (OutputStream os = Files.newOutputStream(tmp); ZipOutputStream z = new ZipOutputStream(os)) {
                for (Map.Entry<String, String> e : parts.entrySet()) {
                    z.putNextEntry(new ZipEntry(e.getKey()));
                    z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                    z.closeEntry();
                }
            }
            Files.move(tmp, xlsx, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the error below names the file
            }
            throw new InvalidInputException(xlsx, "cannot write: " + e.getMessage(), e);
        }
    }

    private static final String XML = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
    private static final String MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static final String PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships";
    private static final String DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /** "A" for 0, "Z" for 25, "AA" for 26. */
    static String column(int c) {
        StringBuilder sb = new StringBuilder();
        for (int n = c + 1; n > 0; n = (n - 1) / 26) {
            sb.insert(0, (char) ('A' + (n - 1) % 26));
        }
        return sb.toString();
    }

    /** XML text; characters XML 1.0 forbids are an error, as openpyxl's IllegalCharacterError is for the script. */
    private static String xml(Path xlsx, String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
                throw new InvalidInputException(xlsx, String.format("a cell holds U+%04X, which a spreadsheet cannot "
                        + "hold", (int) c));
            }
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
