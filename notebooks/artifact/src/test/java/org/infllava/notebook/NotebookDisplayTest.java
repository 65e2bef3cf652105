package org.infllava.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class NotebookDisplayTest {

    private static Renderer renderer() {
        Renderer r = new Renderer();
        assertTrue(NotebookDisplay.register(r));
        return r;
    }

    private static BufferedImage decode(Object base64) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) base64)));
    }

    @Test
    void xchartBecomesAPngOfTheChartsSize() throws Exception {
        XYChart chart = new XYChartBuilder().width(320).height(200).title("loss").build();
        chart.addSeries("train", new double[] {1, 2, 3}, new double[] {3, 2, 1.5});
        DisplayData d = renderer().render(chart);
        BufferedImage png = decode(d.getData(MIMEType.IMAGE_PNG));
        assertEquals(320, png.getWidth());
        assertEquals(200, png.getHeight());
        assertEquals("XYChart[loss, 320x200]", d.getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void bufferedImageBecomesAPngWithTheSamePixels() throws Exception {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(2, 1, 0x123456);
        BufferedImage back = decode(renderer().render(img).getData(MIMEType.IMAGE_PNG));
        assertEquals(0xff123456, back.getRGB(2, 1));
        assertEquals(0xff000000, back.getRGB(0, 0));
    }

    @Test
    void tablesawTableBecomesHtmlWithItsCellsAndText() {
        Table t = Table.create("accuracy",
                StringColumn.create("model", "llava-1.5", "inf-llava <paper>"),
                DoubleColumn.create("acc", 0.25, 0.75));
        DisplayData d = renderer().render(t);
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("<caption>accuracy</caption>"), html);
        assertTrue(html.contains("<th>model</th><th>acc</th>"), html);
        assertTrue(html.contains("<td>llava-1.5</td><td>0.25</td>"), html);
        assertTrue(html.contains("<td>inf-llava &lt;paper&gt;</td><td>0.75</td>"), html);
        assertTrue(((String) d.getData(MIMEType.TEXT_PLAIN)).contains("llava-1.5"));
    }

    @Test
    void longTablesShowTheirFirstRowsAndSayHowManyMore() {
        Table t = Table.create("t", DoubleColumn.create("v", new double[45]));
        String html = NotebookDisplay.html(t, 20);
        assertEquals(20, html.split("<tr>").length - 2); // header row + 20 rows; split yields one leading piece
        assertTrue(html.contains("25 more rows (45 in all)"), html);
    }

    @Test
    void registeringTwiceOnOneRendererIsANoOp() {
        Renderer r = renderer();
        assertFalse(NotebookDisplay.register(r));
    }
}
