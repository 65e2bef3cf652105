package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.infllava.data.SynthCaptions;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.infer.ChatTemplate;
import org.infllava.io.ImageFiles;
import org.infllava.io.NpyArrays;

/**
 * Writes the fixtures of {@code src/test/resources/legacy}: model directories saved by the toolkit as it was before
 * visual front-ends (commit 852f86c, where {@code InfLlavaModel} took a DCM crop strategy and an optional DEM), with
 * the visual tokens and logits that code computed for {@code image.png}. {@code LegacyDirectoryTest} loads them with
 * today's code and compares. Regenerate only from that commit:
 * {@code java -cp <test classpath> org.infllava.model.LegacyDirectories toolkit-train/src/test/resources/legacy}.
 *
 * <ul>
 *   <li>{@code dem-reference}: REFERENCE DEM preset, 3×3 grid, 8 heads, the published low-resolution view
 *       ({@code reference_low_res: true});</li>
 *   <li>{@code dem-paper}: the paper DEM preset, 2×2 grid, the toolkit's low-resolution view;</li>
 *   <li>{@code llava-1.5}: no DEM (one padded view, its patches).</li>
 * </ul>
 * Each {@code NAME/} comes with {@code NAME-visual-tokens.npy} {@code (1, T_v, 32)} and {@code NAME-logits.npy}
 * {@code (1, T, 40)} for the prompt {@link #PROMPT}.
 */
public final class LegacyDirectories {

    /** Tiny CLIP tower: d = 32, 2 layers, 28-px images of 14-px patches (a 2×2 grid). */
    static final ClipVisionConfig TOWER = new ClipVisionConfig(32, 64, 2, 2, 3, 28, 14, "quick_gelu", 1e-5f);
    /** Tiny LLaMA: 40 words, d = 32. */
    static final LlamaConfig LLM = new LlamaConfig(40, 32, 64, 2, 4, 2, 1e-6f, 10000, null, 256, false);
    /** The prompt whose logits are recorded. */
    static final long[] PROMPT = {1, 7, ChatTemplate.IMAGE_TOKEN, 9, 11};
    /** The fixture names. */
    static final List<String> NAMES = List.of("dem-reference", "dem-paper", "llava-1.5");

    private LegacyDirectories() {}

    /** Writes the fixtures into {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        BufferedImage img = image();
        ImageFiles.writePng(img, out.resolve("image.png"));
        img = ImageFiles.read(out.resolve("image.png"));
        List<String> words = new ArrayList<>(List.of("<pad>", "<s>", "</s>", "<unk>"));
        for (int i = 0; i < 36; i++) {
            words.add("w" + i);
        }
        Path tok = Files.createTempFile("tokenizer", ".json");
        Files.writeString(tok, SynthCaptions.wordLevelTokenizer(words));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (String name : NAMES) {
                DualPerspectiveEnhancement dem = switch (name) {
                    case "dem-reference" -> DemPresets.reference(32, 3, 3, 8);
                    case "dem-paper" -> DemPresets.paper(32, 2, 2);
                    default -> null;
                };
                InfLlavaModel model = model(m, dem, name.equals("dem-reference"));
                model.save(out.resolve(name), tok, "plain");
                ParameterStore ps = new ParameterStore(m, false);
                NDArray v = model.visualTokens(ps, m, img, false); // (1, T_v, 32)
                NpyArrays.writeFloat32(out.resolve(name + "-visual-tokens.npy"), v.toFloatArray(),
                        v.getShape().getShape());
                NDArray e = model.embed(ps, m, PROMPT, List.of(img), false); // (1, T, 32)
                long t = e.getShape().get(1);
                NDArray pos = m.arange(0f, (float) t).reshape(1, t); // (1, T)
                NDArray logits = model.llm().forward(ps, e, null, pos, null, false); // (1, T, 40)
                NpyArrays.writeFloat32(out.resolve(name + "-logits.npy"), logits.toFloatArray(),
                        logits.getShape().getShape());
            }
        }
        Files.delete(tok);
    }

    private static InfLlavaModel model(NDManager m, DualPerspectiveEnhancement dem, boolean referenceLowRes) {
        ClipVisionEncoder vision = new ClipVisionEncoder(TOWER);
        vision.initialize(m, 1);
        LlamaDecoder llm = new LlamaDecoder(LLM);
        llm.initialize(m, 2);
        MlpProjector projector = new MlpProjector(MlpProjector.Type.MLP2X_GELU, 32, 32);
        projector.initialize(m, 3);
        if (dem != null) {
            dem.initialize(m, 4);
        }
        return InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(projector).optDem(dem)
                .optReferenceLowRes(referenceLowRes).build();
    }

    /** A 90×60 picture of coloured rectangles (not square, so padding and unpadding matter). */
    static BufferedImage image() {
        BufferedImage img = new BufferedImage(90, 60, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        java.util.Random r = new java.util.Random(11);
        g.setColor(new Color(40, 90, 160));
        g.fillRect(0, 0, 90, 60);
        for (int i = 0; i < 14; i++) {
            g.setColor(new Color(r.nextInt(0xFFFFFF)));
            g.fillRect(r.nextInt(80), r.nextInt(50), 5 + r.nextInt(20), 5 + r.nextInt(20));
        }
        g.dispose();
        return img;
    }
}
