package org.infllava.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.concurrent.Callable;
import org.infllava.crop.CropPlan;
import org.infllava.crop.CropStrategy;
import org.infllava.crop.FrontEndBudget;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.EncoderSpec;
import org.infllava.crop.TokenBudget;
import org.infllava.io.InvalidInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code infllava tokens --width W --height H}: encoder passes, visual tokens and encoder FLOPs; with
 * {@code --strategy NAME [--json]} those of any registered front-end ({@link FrontEndBudget}).
 */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = {"Token and FLOP budget of cropping a WxH image, against LLaVA-1.5 and a full-resolution ViT.",
            "With --strategy NAME: the budget of that front-end with its default token assembler; --json prints one "
                    + "JSON object {strategy, width, height, sub_size, patch, views, encoder_passes, "
                    + "tokens_per_pass, visual_tokens, channel_multiplier, encoder_flops}."})
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

    @Option(names = "--strategy", paramLabel = "NAME",
            description = "A registered front-end: llava-1.5, llava-next-anyres, internvl-dynamic, s2, monkey, "
                    + "inf-dcm, inf-dcm-auto.")
    String strategy;

    @Option(names = "--json", description = "With --strategy: print one JSON object.")
    boolean json;

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
        if (strategy != null) {
            return strategyBudget();
        }
        if (json) {
            throw new InvalidInputException("--json needs --strategy NAME");
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

    private int strategyBudget() {
        CropStrategy s = crop.strategy(strategy, spec);
        if (patch > crop.subSize) {
            throw new InvalidInputException("--patch " + patch + " is larger than --sub-size " + crop.subSize);
        }
        EncoderSpec enc = new EncoderSpec("ViT", crop.subSize, patch, hidden, layers, 4 * hidden, true);
        FrontEndBudget b;
        try {
            b = FrontEndBudget.of(s, width, height, enc);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--strategy " + strategy + ": " + e.getMessage());
        }
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("strategy", b.strategy());
            o.addProperty("width", width);
            o.addProperty("height", height);
            o.addProperty("sub_size", crop.subSize);
            o.addProperty("patch", patch);
            o.addProperty("views", b.views());
            o.addProperty("encoder_passes", b.encoderPasses());
            o.addProperty("tokens_per_pass", b.tokensPerPass());
            o.addProperty("visual_tokens", b.visualTokens());
            o.addProperty("channel_multiplier", b.channelMultiplier());
            o.addProperty("encoder_flops", new BigDecimal(b.encoderFlops()).setScale(0, RoundingMode.HALF_EVEN)
                    .toBigInteger());
            spec.commandLine().getOut().println(new Gson().toJson(o));
        } else {
            spec.commandLine().getOut().printf("%s on %dx%d (views %d, patch %d, d=%d, %d layers): %d views, %d "
                    + "encoder passes of %d tokens, %d visual tokens (x%d channels), %s encoder GFLOPs%n",
                    b.strategy(), width, height, crop.subSize, patch, hidden, layers, b.views(), b.encoderPasses(),
                    b.tokensPerPass(), b.visualTokens(), b.channelMultiplier(), gflops(b.encoderFlops()));
        }
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
