package org.infllava.lab;

import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;

/**
 * One model of the lab: a name, how to build its DEM for the tower's width and a grid (none for the low-resolution
 * LLaVA-1.5 baseline), and its DCM grid per side (0: the lab's default) — or a registered visual front-end
 * ({@link org.infllava.frontend.VisualFrontEnds}: {@code llava-next-anyres}, {@code internvl-dynamic}, {@code s2},
 * {@code monkey}, ...) built at the tower's resolution.
 *
 * @param name the name in results ({@code llava-1.5}, {@code inf-llava-paper}, ...)
 * @param dem the DEM factory, or {@code null} for one low-resolution view
 * @param grid DCM grid per side, 0 for the lab's default
 * @param referenceLowRes whether the low-resolution view is made as the published code makes it
 * @param frontEnd a registered front-end's name, or {@code null} for the DCM/DEM model described by the others
 */
public record LabModel(String name, DemFactory dem, int grid, boolean referenceLowRes, String frontEnd) {

    /** Builds a DEM for a tower width and a square grid. */
    @FunctionalInterface
    public interface DemFactory {
        /** The DEM for {@code channels}-wide features on a {@code grid × grid} DCM. */
        DualPerspectiveEnhancement create(int channels, int grid);
    }

    /** Validates the name and grid. */
    public LabModel {
        if (name == null || name.isBlank() || grid < 0) {
            throw new IllegalArgumentException("a lab model needs a name and grid >= 0, got '" + name + "', " + grid);
        }
        if (frontEnd != null && (dem != null || grid != 0 || referenceLowRes)) {
            throw new IllegalArgumentException("lab model " + name + ": a registered front-end (" + frontEnd
                    + ") brings its own DEM, grid and low-resolution view");
        }
    }

    /** A DCM/DEM model (no registered front-end). */
    public LabModel(String name, DemFactory dem, int grid, boolean referenceLowRes) {
        this(name, dem, grid, referenceLowRes, null);
    }

    /** The registered front-end {@code name} (as the model's name too), at the tower's resolution. */
    public static LabModel frontEnd(String name) {
        org.infllava.frontend.VisualFrontEnds.recipe(name); // an unknown name fails here, listing the known ones
        return new LabModel(name, null, 0, false, name);
    }

    /** LLaVA-1.5: one low-resolution view of the whole image. */
    public static LabModel llava15() {
        return new LabModel("llava-1.5", null, 0, false);
    }

    /** INF-LLaVA with the {@link DemPresets#paper PAPER} preset. */
    public static LabModel paper() {
        return new LabModel("inf-llava-paper", (c, g) -> DemPresets.paper(c, g, g), 0, false);
    }

    /** INF-LLaVA with the {@link DemPresets#reference REFERENCE} preset (8 heads where the width allows). */
    public static LabModel reference() {
        return new LabModel("inf-llava-reference", (c, g) -> DemPresets.reference(c, g, g, c % 8 == 0 ? 8 : 1), 0,
                true);
    }

    /**
     * The {@code blind} calibration row: the same LLM, data and budget with no information from the image (one
     * constant visual token, {@link BlindAssembler}) — the language prior.
     */
    public static LabModel blind() {
        return new LabModel(Lab.BLIND, null, 0, false, Lab.BLIND);
    }

    /**
     * The {@code ceiling} calibration row: the whole scene at full resolution with every token — the 9 local
     * sub-images of the 3 × 3 DCM (native scale, no global perspective, no low-resolution view) through the tower,
     * all their patch tokens concatenated ({@code concat} assembler), no DEM and no pooling.
     */
    public static LabModel ceiling() {
        return new LabModel(LabResults.CEILING, null, 0, false, LabResults.CEILING);
    }

    /**
     * The named variant {@code inf-llava-paper-residual}: the PAPER preset plus a residual from the query perspective
     * (each enhanced map adds its raw query map, as the published code does), not the PAPER default.
     */
    public static LabModel paperResidual() {
        return paperWith("inf-llava-paper-residual",
                b -> b.optResidual(org.infllava.dem.WindowCrossAttention.Residual.RAW_QUERY));
    }

    /** A model with a DEM made from the PAPER builder as {@code tweak} changes it. */
    public static LabModel paperWith(String name, java.util.function.UnaryOperator<DualPerspectiveEnhancement.Builder>
            tweak) {
        return new LabModel(name, (c, g) -> tweak.apply(DemPresets.paperBuilder(c, g, g)).build(), 0, false);
    }

    /** This model on another DCM grid. */
    public LabModel withGrid(String newName, int newGrid) {
        if (frontEnd != null) {
            throw new IllegalArgumentException("lab model " + name + " is the front-end " + frontEnd
                    + ", whose grid is its own");
        }
        return new LabModel(newName, dem, newGrid, referenceLowRes);
    }
}
