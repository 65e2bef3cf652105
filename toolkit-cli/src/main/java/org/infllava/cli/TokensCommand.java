package org.infllava.cli;

import java.util.concurrent.Callable;
import org.infllava.crop.CropPlan;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.EncoderSpec;
import org.infllava.crop.TokenBudget;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code infllava tokens --width W --height H}: encoder passes, visual tokens and encoder FLOPs. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = "Token and FLOP budget of cropping a WxH image, against LLaVA-1.5 and a full-resolution ViT.")
final class TokensCommand implements Callable<Integer> {

    @Option(names = "--width", required = true, paramLabel = "W", description = "Image width in pixels.")
    int width;

    @Option(names = "--height", required = true, paramLabel = "H", description = "Image height in pixels.")
    int height;

    @Mixin
    CropOptions crop;

    @Option(names = "--patch", paramLabel = "P", defaultValue = "14", description = "ViT patch size (default: ${DEFAULT-VALUE}).")
    int patch;

    @Option(names = "--hidden", paramLabel = "D", defaultValue = "1024", description = "ViT width (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", paramLabel = "L", defaultValue = "24", description = "ViT layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (width < 1 || height < 1) {
            throw new InvalidInputException("--width and --height must be positive, got " + width + "x" + height);
        }
        if (patch < 1 || hidden < 1 || layers < 1) {
            throw new InvalidInputException("--patch, --hidden and --layers must be positive, got patch=" + patch
                    + " hidden=" + hidden + " layers=" + layers);
        }
        crop.lowRes = true;
        DualPerspectiveCropper dcm = crop.cropper();
        if (patch > crop.subSize) {
            throw new InvalidInputException("--patch " + patch + " is larger than --sub-size " + crop.subSize);
        }
        EncoderSpec enc = new EncoderSpec("ViT", crop.subSize, patch, hidden, layers, 4 * hidden, true);
        spec.commandLine().getOut().print(table(width, height, dcm, enc));
        return 0;
    }

    /** The budget table for one image size: LLaVA-1.5, DCM, DCM + low-res, and one full-resolution ViT pass. */
    static String table(int width, int height, DualPerspectiveCropper dcmWithLowRes, EncoderSpec enc) {
        CropPlan dual = dcmWithLowRes.plan(width, height);
        CropPlan noLow = new CropPlan(width, height, dual.grid(), dual.policy(), dual.perspectives(), false);
        DualPerspectiveCropper llava = DualPerspectiveCropper.builder().setSubImageSize(enc.imageSize())
                .optGrid(1, 1).optResizePolicy(org.infllava.crop.ResizePolicy.PAD_TO_SQUARE).optPerspectives()
                .optLowResView(true).optName("llava-1.5").build();
        TokenBudget base = TokenBudget.of(llava.plan(width, height), enc);
        TokenBudget dcm = TokenBudget.of(noLow, enc);
        TokenBudget both = TokenBudget.of(dual, enc);
        String grid = dual.grid().columns() + "x" + dual.grid().rows();
        String canvas = dual.resizedWidth() + "x" + dual.resizedHeight();
        long directTokens = (long) (dual.resizedWidth() / enc.patchSize()) * (dual.resizedHeight() / enc.patchSize());
        TextTable t = new TextTable("setup", "grid", "canvas", "passes", "tokens/pass", "map tokens", "LLM tokens",
                "encoder GFLOPs", "vs LLaVA-1.5");
        double ref = base.encoderFlops();
        t.row("LLaVA-1.5 (one " + enc.imageSize() + " view)", "1x1", enc.imageSize() + "x" + enc.imageSize(), 1,
                base.tokensPerPass(), base.llmTokens(), base.llmTokens(), gflops(ref), "1.00x");
        t.row("INF-LLaVA DCM (local+global)", grid, canvas, dcm.encoderPasses(), dcm.tokensPerPass(),
                dcm.featureMapTokens(), dcm.llmTokens(), gflops(dcm.encoderFlops()), ratio(dcm.encoderFlops(), ref));
        t.row("INF-LLaVA DCM + low-res (paper)", grid, canvas, both.encoderPasses(), both.tokensPerPass(),
                both.featureMapTokens(), both.llmTokens(), gflops(both.encoderFlops()),
                ratio(both.encoderFlops(), ref));
        t.row("one ViT pass at full canvas", "-", canvas, 1, directTokens + 1, directTokens, directTokens,
                gflops(both.directFullResolutionFlops()), ratio(both.directFullResolutionFlops(), ref));
        return String.format("Image %dx%d, encoder %s: sub-image %d, patch %d, d=%d, %d layers (policy %s)%n%s",
                width, height, enc.name(), enc.imageSize(), enc.patchSize(), enc.hiddenSize(), enc.layers(),
                dual.policy().cliName(), t)
                + "map tokens: one recombined feature map (eq. 5-6), before pooling; LLM tokens: after average "
                + "pooling by the grid factor.\n";
    }

    private static String gflops(double flops) {
        return String.format("%,.1f", flops / 1e9);
    }

    private static String ratio(double a, double b) {
        return String.format("%.2fx", a / b);
    }
}
