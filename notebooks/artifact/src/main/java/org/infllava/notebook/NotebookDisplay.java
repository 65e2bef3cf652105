package org.infllava.notebook;

import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * The toolkit's rich display for a {@code jupyter-jvm-basekernel} {@link Renderer} (IJava's and the bundled kernel's):
 * XChart charts as {@code image/png} at their own size, Tablesaw tables as {@code text/html} (a compact table of the
 * first {@value #MAX_ROWS} rows) plus {@code text/plain}, {@link BufferedImage} as {@code image/png}. The basekernel
 * classes come from the kernel's class path at run time; only {@link Notebooks} loads this class, and only inside a
 * kernel.
 */
public final class NotebookDisplay {

    /** Rows of a Tablesaw table shown in HTML and text. */
    public static final int MAX_ROWS = 20;

    private static final Set<Renderer> REGISTERED = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private NotebookDisplay() {
    }

    /** Registers with a kernel's renderer (a {@link BaseKernel}); once per renderer. */
    static void registerWith(Object kernel) {
        if (kernel instanceof BaseKernel k) {
            register(k.getRenderer());
        }
    }

    /**
     * Registers the renderers on a base-kernel renderer, unless they already are.
     *
     * @return whether this call registered them
     */
    public static boolean register(Renderer renderer) {
        if (!REGISTERED.add(renderer)) {
            return false;
        }
        renderer.createRegistration(BufferedImage.class)
                .preferring(MIMEType.IMAGE_PNG)
                .register((img, ctx) -> {
                    ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> base64(png(img)));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN,
                            () -> "BufferedImage[" + img.getWidth() + "x" + img.getHeight() + "]");
                });
        renderer.createRegistration(Chart.class)
                .preferring(MIMEType.IMAGE_PNG)
                .register((chart, ctx) -> {
                    ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> base64(png(chart)));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> chart.getClass().getSimpleName() + "["
                            + chart.getTitle() + ", " + chart.getWidth() + "x" + chart.getHeight() + "]");
                });
        renderer.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .register((table, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(table, MAX_ROWS));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> table.print(MAX_ROWS));
                });
        return true;
    }

    /** The PNG bytes of an image. */
    public static byte[] png(RenderedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalArgumentException("no PNG writer for image type " + img.getClass().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The PNG bytes of an XChart chart at its own size. */
    public static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A compact HTML table: the table's name as caption, a header row of column names, the first {@code maxRows}
     * rows with cells as Tablesaw prints them (missing ones empty), and a note of the rows left out.
     */
    public static String html(Table table, int maxRows) {
        StringBuilder sb = new StringBuilder("<table class=\"tablesaw\">");
        if (table.name() != null && !table.name().isBlank()) {
            sb.append("<caption>").append(escape(table.name())).append("</caption>");
        }
        sb.append("<thead><tr>");
        for (String col : table.columnNames()) {
            sb.append("<th>").append(escape(col)).append("</th>");
        }
        sb.append("</tr></thead><tbody>");
        int rows = Math.min(maxRows, table.rowCount());
        for (int r = 0; r < rows; r++) {
            sb.append("<tr>");
            for (int c = 0; c < table.columnCount(); c++) {
                sb.append("<td>").append(escape(table.getString(r, c))).append("</td>");
            }
            sb.append("</tr>");
        }
        sb.append("</tbody></table>");
        if (table.rowCount() > rows) {
            sb.append("<p>").append(table.rowCount() - rows).append(" more rows (")
                    .append(table.rowCount()).append(" in all)</p>");
        }
        return sb.toString();
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
