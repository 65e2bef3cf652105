package org.infllava.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.infllava.dem.DemPresets;
import org.infllava.dem.LowResCombine;
import org.infllava.dem.StandardFusion;
import org.infllava.dem.StandardVariant;

/**
 * The lab's analogues of the paper's ablation tables; each lists the {@link LabModel}s of its rows.
 * <ul>
 *   <li>{@link #RESOLUTION} — Tab. 3 / Fig. 8: single resolution {@code [28g]} (DCM grid g, no low-resolution view)
 *       for g = 1..4 and dual resolution {@code [28+28g]} (low-resolution features added) for g = 2..4.</li>
 *   <li>{@link #DEM_VARIANT} — Tab. 4: DEM w/ global, DEM w/ local, DEM.</li>
 *   <li>{@link #FUSION} — Tab. 5: the seven registered fusions in the PAPER preset.</li>
 *   <li>{@link #MODULE} — Tab. 6: DEM with DCM local only, with DCM global only, DCM added without DEM, DCM + DEM.</li>
 *   <li>{@link #FRONT_END} — the field's visual front-ends with one tower and budget: every registered
 *       {@link org.infllava.frontend.VisualFrontEnds} entry ({@code llava-1.5}, {@code llava-next-anyres},
 *       {@code internvl-dynamic}, {@code s2}, {@code monkey}, {@code inf-dcm}, {@code inf-dcm-auto}); printed with
 *       visual tokens and encoder passes per scene ({@link Lab#cost}).</li>
 * </ul>
 */
public enum AblationTable {
    /** Tab. 3 / Fig. 8. */
    RESOLUTION,
    /** Tab. 4. */
    DEM_VARIANT,
    /** Tab. 5. */
    FUSION,
    /** Tab. 6. */
    MODULE,
    /** Visual front-ends of the field. */
    FRONT_END;

    /** The CLI name: {@code resolution}, {@code dem-variant}, {@code fusion}, {@code module}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The table called {@code name} ({@link #cliName()}). */
    public static AblationTable parse(String name) {
        for (AblationTable t : values()) {
            if (t.cliName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown ablation table '" + name + "'; tables: resolution, dem-variant, "
                + "fusion, module, front-end");
    }

    /** The models of the table's rows, in the paper's order. */
    public List<LabModel> models() {
        List<LabModel> m = new ArrayList<>();
        switch (this) {
            case RESOLUTION -> {
                for (int g = 1; g <= 4; g++) {
                    int grid = g;
                    m.add(new LabModel("[" + 28 * g + "]", (c, gr) -> DemPresets.paperBuilder(c, gr, gr)
                            .optLowResCombine(LowResCombine.NONE).build(), grid, false));
                }
                for (int g = 2; g <= 4; g++) {
                    m.add(LabModel.paper().withGrid("[28+" + 28 * g + "]", g));
                }
            }
            case DEM_VARIANT -> {
                m.add(LabModel.paperWith("DEM w/ global", b -> b.optVariant(StandardVariant.GLOBAL_ONLY)));
                m.add(LabModel.paperWith("DEM w/ local", b -> b.optVariant(StandardVariant.LOCAL_ONLY)));
                m.add(LabModel.paperWith("DEM", b -> b.optVariant(StandardVariant.FULL)));
            }
            case FUSION -> {
                for (StandardFusion f : StandardFusion.values()) {
                    m.add(LabModel.paperWith(f.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                            b -> b.optFusion(f)));
                }
            }
            case MODULE -> {
                m.add(LabModel.paperWith("w/ DCM local", b -> b.optVariant(StandardVariant.LOCAL_CROP_ONLY)));
                m.add(LabModel.paperWith("w/ DCM global", b -> b.optVariant(StandardVariant.GLOBAL_CROP_ONLY)));
                m.add(LabModel.paperWith("w/ DCM", b -> b.optVariant(StandardVariant.ADD_NO_DEM)));
                m.add(LabModel.paperWith("DCM + DEM", b -> b.optVariant(StandardVariant.FULL)));
            }
            case FRONT_END -> {
                for (String name : org.infllava.frontend.VisualFrontEnds.names()) {
                    m.add(LabModel.frontEnd(name));
                }
            }
            default -> throw new IllegalStateException(name());
        }
        return m;
    }
}
