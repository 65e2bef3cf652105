package org.infllava.cli;

import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.infllava.crop.CropPlan;
import org.infllava.crop.DualCrops;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.CropStrategy;
import org.infllava.crop.CropViews;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code infllava crop IMAGE --out DIR}: both perspectives of one image as PNGs plus a manifest; with
 * {@code --strategy NAME} the views of any registered front-end, {@code view-K.png} in encoder order.
 */
@Command(name = "crop", mixinStandardHelpOptions = true,
        description = {"Crop an image from the local and the global perspective (DCM, paper §4.2), or into the views "
                + "of any front-end with --strategy.",
            "Writes DIR/local-R-C.png, DIR/global-I-J.png (= resized[I::rows, J::cols]), DIR/low-res.png with "
                    + "--low-res, and DIR/manifest.json; atomically (nothing is left behind on error).",
            "With --strategy NAME (llava-1.5, llava-next-anyres, internvl-dynamic, s2, monkey, inf-dcm, "
                    + "inf-dcm-auto): DIR/view-K.png for K = 0, 1, ... in encoder order (lossless, before "
                    + "normalisation) and manifest.json with \"strategy\" and \"views\": [{file, role, box}]; "
                    + "inf-dcm(-auto) also writes local-R-C.png and global-I-J.png."})
final class CropCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "PNG, JPEG, BMP or GIF file.")
    Path image;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created).")
    Path out;

    @Mixin
    CropOptions crop;

    @Option(names = "--strategy", paramLabel = "NAME",
            description = "A registered front-end: llava-1.5, llava-next-anyres, internvl-dynamic, s2, monkey, "
                    + "inf-dcm, inf-dcm-auto (views of --sub-size S; --grid, --max-grid, --resize and --low-res do "
                    + "not apply).")
    String strategy;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "100000000",
            description = "Refuse images above N pixels, from the header (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--force", description = "Replace DIR if it exists and is not empty.")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (strategy != null) {
            return cropStrategy();
        }
        DualPerspectiveCropper cropper = crop.cropper();
        if (maxPixels < 1) {
            throw new InvalidInputException("--max-pixels must be positive, got " + maxPixels);
        }
        CropWriter.checkTarget(out, force);
        BufferedImage rgb = ClipPreprocessor.toRgb(ImageFiles.read(image, maxPixels));
        CropPlan plan;
        try {
            plan = cropper.plan(rgb.getWidth(), rgb.getHeight());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(image, e.getMessage());
        }
        DualCrops crops = cropper.crop(rgb);
        JsonObject manifest = CropWriter.write(crops, image, out, force);
        spec.commandLine().getOut().printf("%s: %dx%d -> %dx%d (%s), grid %dx%d of %dx%d: %d files in %s%n", image,
                plan.sourceWidth(), plan.sourceHeight(), plan.resizedWidth(), plan.resizedHeight(),
                plan.policy().cliName(), plan.grid().columns(), plan.grid().rows(), plan.subWidth(),
                plan.subHeight(), manifest.getAsJsonArray("files").size(), out);
        return 0;
    }

    private int cropStrategy() {
        CropStrategy s = crop.strategy(strategy, spec);
        if (maxPixels < 1) {
            throw new InvalidInputException("--max-pixels must be positive, got " + maxPixels);
        }
        CropWriter.checkTarget(out, force);
        BufferedImage rgb = ClipPreprocessor.toRgb(ImageFiles.read(image, maxPixels));
        CropViews views;
        DualCrops crops = null;
        try {
            if (s instanceof DualPerspectiveCropper dcm) {
                crops = dcm.crop(rgb);
                views = new CropViews(dcm.layoutOf(crops.plan()), crops.views());
            } else {
                views = s.views(rgb);
            }
        } catch (InvalidInputException e) {
            throw new InvalidInputException(image, e.getMessage());
        }
        CropWriter.writeViews(views, crops, image, out, force);
        spec.commandLine().getOut().printf("%s: %dx%d -> %d views of %dx%d (%s) in %s%n", image, rgb.getWidth(),
                rgb.getHeight(), views.count(), views.layout().viewWidth(), views.layout().viewHeight(), s.name(),
                out);
        return 0;
    }
}
