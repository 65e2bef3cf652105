package org.infllava.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import tech.tablesaw.api.Table;

class AblationTest {

    @TempDir
    Path dir;

    private static List<Double> list(double[] a) {
        return Arrays.stream(a).boxed().toList();
    }

    @Test
    void tablesListThePapersRows() {
        assertEquals(List.of("[28]", "[56]", "[84]", "[112]", "[28+56]", "[28+84]", "[28+112]"),
                AblationTable.RESOLUTION.models().stream().map(LabModel::name).toList());
        assertEquals(List.of(1, 2, 3, 4, 2, 3, 4), AblationTable.RESOLUTION.models().stream().map(LabModel::grid)
                .toList());
        assertEquals(List.of("DEM w/ global", "DEM w/ local", "DEM"), AblationTable.DEM_VARIANT.models().stream()
                .map(LabModel::name).toList());
        assertEquals(7, AblationTable.FUSION.models().size());
        assertEquals("linear-concat", AblationTable.FUSION.models().get(0).name());
        assertEquals(List.of("w/ DCM local", "w/ DCM global", "w/ DCM", "DCM + DEM"), AblationTable.MODULE.models()
                .stream().map(LabModel::name).toList());
        assertEquals(AblationTable.DEM_VARIANT, AblationTable.parse("dem-variant"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AblationTable.parse("fusions"));
        assertTrue(e.getMessage().contains("'fusions'") && e.getMessage().contains("dem-variant"), e.getMessage());
    }

    /** Every row's DEM builds at the lab's width on its grid (the single-resolution rows without low-res features). */
    @Test
    void everyRowBuildsItsDem() {
        for (AblationTable t : AblationTable.values()) {
            if (t == AblationTable.FRONT_END) {
                continue; // registered front-ends bring their own assembler: FrontEndLabTest
            }
            for (LabModel m : t.models()) {
                int grid = m.grid() > 0 ? m.grid() : 3;
                var dem = m.dem().create(48, grid);
                assertEquals(grid, dem.config().columns(), t + " " + m.name());
                assertEquals(48, dem.config().channels(), t + " " + m.name());
            }
        }
        assertEquals(org.infllava.dem.LowResCombine.NONE, AblationTable.RESOLUTION.models().get(2).dem().create(48, 3)
                .config().lowResCombine());
        assertEquals(org.infllava.dem.LowResCombine.ADD, AblationTable.RESOLUTION.models().get(5).dem().create(48, 3)
                .config().lowResCombine());
    }

    /**
     * Mean and sample sd over seeds: row A has fine-detail 0.50, 0.70, 0.60 → mean 0.60, sd √((0.01 + 0.01 + 0) / 2)
     * = 0.1; row B one seed → sd 0.
     */
    @Test
    void summaryIsMeanAndSampleSdOverSeeds() {
        List<Ablation.Point> points = List.of(
                new Ablation.Point("A", 1, "fine-detail", 0, 0.5), new Ablation.Point("A", 1, "all", 50, 0.4),
                new Ablation.Point("A", 2, "fine-detail", 0, 0.7), new Ablation.Point("A", 2, "all", 50, 0.6),
                new Ablation.Point("A", 3, "fine-detail", 0, 0.6), new Ablation.Point("A", 3, "all", 50, 0.5),
                new Ablation.Point("A", 1, "glyph", 10, 0.3), new Ablation.Point("A", 2, "glyph", 10, 0.5),
                new Ablation.Point("A", 3, "glyph", 10, 0.4),
                new Ablation.Point("B", 1, "fine-detail", 0, 0.2), new Ablation.Point("B", 1, "all", 50, 0.3),
                new Ablation.Point("B", 1, "glyph", 10, 0.1));
        Table s = Ablation.summary(points, List.of("glyph"));
        assertEquals(List.of("A", "B"), s.stringColumn("model").asList());
        assertEquals(3, s.intColumn("seeds").get(0));
        assertEquals(0.6, s.doubleColumn("fine-detail_mean").get(0), 1e-12);
        assertEquals(0.1, s.doubleColumn("fine-detail_sd").get(0), 1e-12);
        assertEquals(0.5, s.doubleColumn("all_mean").get(0), 1e-12);
        assertEquals(0.4, s.doubleColumn("glyph_mean").get(0), 1e-12);
        assertEquals(0.0, s.doubleColumn("fine-detail_sd").get(1), 0);
        Table p = Ablation.printable(s, List.of("glyph"));
        assertEquals("0.60 ± 0.10", p.stringColumn("fine-detail").get(0));
        assertEquals("0.40 ± 0.10", p.stringColumn("glyph*").get(0));
    }

    /** The resolution chart plots fine-detail accuracy at the high-resolution side, single and dual separately. */
    @Test
    void resolutionChartPlotsAccuracyAgainstPixels() {
        List<Ablation.Point> points = List.of(new Ablation.Point("[28]", 1, "fine-detail", 0, 0.3),
                new Ablation.Point("[84]", 1, "fine-detail", 0, 0.6), new Ablation.Point("[28+84]", 1, "fine-detail",
                        0, 0.7), new Ablation.Point("[28]", 1, "all", 9, 0.3),
                new Ablation.Point("[84]", 1, "all", 9, 0.3), new Ablation.Point("[28+84]", 1, "all", 9, 0.3));
        XYChart c = (XYChart) Ablation.chart(AblationTable.RESOLUTION, Ablation.summary(points, List.of()));
        XYSeries single = c.getSeriesMap().get("single resolution");
        XYSeries dual = c.getSeriesMap().get("dual resolution (28 px added)");
        assertEquals(List.of(28.0, 84.0), java.util.Arrays.stream(single.getXData()).boxed().toList());
        assertEquals(List.of(0.3, 0.6), java.util.Arrays.stream(single.getYData()).boxed().toList());
        assertEquals(List.of(84.0), java.util.Arrays.stream(dual.getXData()).boxed().toList());
        assertEquals(List.of(0.7), java.util.Arrays.stream(dual.getYData()).boxed().toList());
        CategoryChart bars = (CategoryChart) Ablation.chart(AblationTable.FUSION, Ablation.summary(points, List.of()));
        assertEquals(2, bars.getSeriesMap().size());
    }

    /** A summary written by Ablation (Tablesaw CSV) read back: the resolution sweep's points survive the file. */
    @Test
    void ablationChartFromSummaryCsv() throws Exception {
        List<Ablation.Point> points = List.of(new Ablation.Point("[28]", 1, "fine-detail", 0, 0.3),
                new Ablation.Point("[84]", 1, "fine-detail", 0, 0.6),
                new Ablation.Point("[84]", 2, "fine-detail", 0, 0.8),
                new Ablation.Point("[28+84]", 1, "fine-detail", 0, 0.7),
                new Ablation.Point("[28]", 1, "all", 9, 0.3), new Ablation.Point("[84]", 1, "all", 9, 0.3),
                new Ablation.Point("[84]", 2, "all", 9, 0.3), new Ablation.Point("[28+84]", 1, "all", 9, 0.3));
        Path f = dir.resolve("ablation-resolution-summary.csv");
        Ablation.summary(points, List.of()).write().csv(f.toFile());
        XYChart c = (XYChart) Ablation.chart(f, AblationTable.RESOLUTION);
        XYSeries single = c.getSeriesMap().get("single resolution");
        assertEquals(List.of(28.0, 84.0), list(single.getXData()));
        assertEquals(0.3, single.getYData()[0], 1e-12);
        assertEquals(0.7, single.getYData()[1], 1e-12); // [84]: mean of 0.6 and 0.8 over seeds 1, 2
        assertEquals(List.of(84.0), list(c.getSeriesMap().get("dual resolution (28 px added)").getXData()));
        CategoryChart bars = (CategoryChart) Ablation.chart(f, AblationTable.FUSION);
        assertEquals(List.of("[28]", "[84]", "[28+84]"), bars.getSeriesMap().get("fine-detail").getXData());
    }
}
