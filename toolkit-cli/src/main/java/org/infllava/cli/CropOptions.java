package org.infllava.cli;

import org.infllava.crop.CropStrategies;
import org.infllava.crop.CropStrategy;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.ResizePolicy;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The crop settings shared by {@code crop}, {@code tokens} and {@code demo}; turned into a validated cropper. */
final class CropOptions {

    /** The largest view side a front-end may be asked for (S2 then resizes to 3·4096 px a side). */
    static final int MAX_STRATEGY_SUB_SIZE = 4096;

    @Option(names = "--sub-size", paramLabel = "S", description = "Sub-image side in pixels (default: ${DEFAULT-VALUE}).",
            defaultValue = "336")
    int subSize;

    @Option(names = "--grid", paramLabel = "CxR|auto",
            description = "Grid of C columns by R rows, or auto: eq. (9)-(10) from the image size (default: ${DEFAULT-VALUE}).",
            defaultValue = "auto")
    String grid;

    @Option(names = "--max-grid", paramLabel = "N", description = "Largest automatic grid side (default: ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int maxGrid;

    @Option(names = "--resize", paramLabel = "POLICY",
            description = "grid (resize to the grid), truncate, pad (pad to square, then resize), center-crop, "
                    + "none (sides must be multiples of the sub-size) (default: ${DEFAULT-VALUE}).",
            defaultValue = "grid")
    String resize;

    @Option(names = "--low-res", description = "Also produce the low-resolution view (the canvas resized to one sub-image).")
    boolean lowRes;

    /**
     * The registered front-end {@code name} with views of {@code --sub-size}; an unknown name, a bad size or a DCM-only
     * option given with it is an error naming the option.
     */
    CropStrategy strategy(String name, CommandLine.Model.CommandSpec spec) {
        for (String dcmOnly : new String[] {"--grid", "--max-grid", "--resize", "--low-res"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(dcmOnly)) {
                throw new InvalidInputException(dcmOnly + " applies to the DCM options without --strategy; with "
                        + "--strategy " + name + " the registered front-end decides");
            }
        }
        if (subSize < 1 || subSize > MAX_STRATEGY_SUB_SIZE) {
            throw new InvalidInputException("--sub-size must be between 1 and " + MAX_STRATEGY_SUB_SIZE
                    + " pixels with --strategy, got " + subSize);
        }
        try {
            return CropStrategies.get(name, subSize);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--strategy: " + e.getMessage());
        }
    }

    /** The cropper these options describe; bad values give an error naming the option. */
    DualPerspectiveCropper cropper() {
        if (subSize < 1) {
            throw new InvalidInputException("--sub-size must be a positive number of pixels, got " + subSize);
        }
        if (maxGrid < 1) {
            throw new InvalidInputException("--max-grid must be at least 1, got " + maxGrid);
        }
        ResizePolicy policy;
        try {
            policy = ResizePolicy.parse(resize);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--resize: " + e.getMessage());
        }
        DualPerspectiveCropper.Builder b = DualPerspectiveCropper.builder().setSubImageSize(subSize)
                .optResizePolicy(policy).optLowResView(lowRes);
        if (grid.equalsIgnoreCase("auto")) {
            b.optMaxGrid(maxGrid);
        } else {
            String[] parts = grid.toLowerCase(java.util.Locale.ROOT).split("x", -1);
            int c;
            int r;
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException();
                }
                c = Integer.parseInt(parts[0].trim());
                r = Integer.parseInt(parts[1].trim());
            } catch (NumberFormatException e) {
                throw new InvalidInputException("--grid must be CxR (e.g. 3x3) or auto, got '" + grid + "'");
            }
            if (c < 1 || r < 1) {
                throw new InvalidInputException("--grid must be at least 1x1, got " + grid);
            }
            b.optGrid(c, r);
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("crop settings: " + e.getMessage());
        }
    }
}
