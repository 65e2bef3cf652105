package org.infllava.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.infllava.kernel.JavaKernel;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChartBuilder;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class NotebooksTest {

    @Test
    void setupFindsTheBundledKernelAndRegistersChartsAndTablesWithItsRenderer() {
        JavaKernel kernel = JavaKernel.builder().build();   // becomes JavaKernel.current()
        Table t = Table.create("n", IntColumn.create("k", 1, 2));
        var chart = new XYChartBuilder().width(120).height(90).title("c").build();
        chart.addSeries("s", new double[] {0, 1}, new double[] {1, 0});

        // the kernel alone renders neither
        assertNull(kernel.getRenderer().render(t).getData(MIMEType.TEXT_HTML));
        assertNull(kernel.getRenderer().render(chart).getData(MIMEType.IMAGE_PNG));

        assertEquals("toolkit-kernel", Notebooks.kernel());
        Notebooks.setup();
        Notebooks.setup();   // a second call adds nothing

        DisplayData table = kernel.getRenderer().render(t);
        assertTrue(((String) table.getData(MIMEType.TEXT_HTML)).contains("<td>2</td>"));
        DisplayData png = kernel.getRenderer().render(chart);
        assertTrue(((String) png.getData(MIMEType.IMAGE_PNG)).startsWith("iVBORw0KGgo"));   // base64 of \x89PNG
        assertFalse(NotebookDisplay.register(kernel.getRenderer()));
    }
}
