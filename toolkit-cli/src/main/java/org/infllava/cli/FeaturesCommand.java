package org.infllava.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.io.HostTensor;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;
import org.infllava.model.ClipVisionEncoder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infllava features}: CLIP or SigLIP vision features of one image, as Hugging Face computes them. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = {"Vision features of an image, as Hugging Face's processor and model compute them. CLIP: "
                + "shortest side to image_size (bicubic), centre crop, normalise with CLIP's statistics. SigLIP: "
                + "resize to image_size x image_size (bicubic), normalise with mean 0.5, std 0.5. Then "
                + "hidden_states[LAYER]; writes (tokens, hidden) float32 .npy."})
final class FeaturesCommand implements Callable<Integer> {

    @CommandLine.Mixin
    DeviceOption deviceOption = new DeviceOption();

    @Option(names = "--vision", required = true, paramLabel = "DIR", description = "CLIPVisionModel, SiglipVisionModel, CLIP or SigLIP directory.")
    Path vision;

    @Option(names = "--image", required = true, paramLabel = "IMG", description = "The image.")
    Path image;

    @Option(names = "--layer", defaultValue = "-2", description = "Hidden state index, negative from the end (default: ${DEFAULT-VALUE}).")
    int layer;

    @Option(names = "--feature", defaultValue = "patch", paramLabel = "patch|cls_patch",
            description = "Drop (patch) or keep (cls_patch) the class token; SigLIP has none: patch only "
                    + "(default: ${DEFAULT-VALUE}).")
    String feature;

    @Option(names = "--out", required = true, paramLabel = "F.npy", description = "Output (tokens, hidden).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ClipVisionEncoder.SelectFeature select = switch (feature) {
            case "patch" -> ClipVisionEncoder.SelectFeature.PATCH;
            case "cls_patch" -> ClipVisionEncoder.SelectFeature.CLS_PATCH;
            default -> throw new InvalidInputException("--feature must be patch or cls_patch, got '" + feature + "'");
        };
        BufferedImage rgb = ImageFiles.readRgb(image, ImageFiles.DEFAULT_MAX_PIXELS);
        try (NDManager m = deviceOption.newManager()) {
            ClipVisionEncoder enc = ClipVisionEncoder.fromPretrained(vision, m);
            int layers = enc.config().layers();
            if (layer < -(layers + 1) || layer > layers) {
                throw new InvalidInputException("--layer " + layer + " is outside the " + (layers + 1)
                        + " hidden states of " + vision);
            }
            if (select == ClipVisionEncoder.SelectFeature.CLS_PATCH && !enc.config().classToken()) {
                throw new InvalidInputException("--feature cls_patch: the " + enc.config().family().modelType()
                        + " tower in " + vision + " has no class token (use patch)");
            }
            int size = enc.config().imageSize();
            BufferedImage view = enc.config().classToken() ? ClipPreprocessor.resizeShortestEdgeAndCenterCrop(rgb, size)
                    : ClipPreprocessor.resize(rgb, size, size); // SiglipImageProcessor: no crop
            NDArray pixels = m.create(enc.config().preprocessor().normalize(view), new Shape(1, 3, size, size));
            NDArray f = enc.features(new ParameterStore(m, false), pixels, layer, select, false).squeeze(0);
            Outputs.writeNpy(out, new HostTensor(f.getShape().getShape(), f.toFloatArray()));
            spec.commandLine().getOut().printf("%s: %dx%d -> %dx%d view, hidden_states[%d] %s -> %s %s%n", image,
                    rgb.getWidth(), rgb.getHeight(), size, size, layer, feature, out, f.getShape());
        }
        return 0;
    }
}
