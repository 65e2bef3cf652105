package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.infllava.crop.ClipPreprocessor;
import org.infllava.crop.CropGrid;
import org.infllava.crop.CropPlan;
import org.infllava.crop.CropStrategy;
import org.infllava.crop.DualCrops;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.ResizePolicy;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.Generator;
import org.infllava.io.InvalidInputException;

/**
 * INF-LLaVA assembled: crop strategy → vision encoder (one batched pass over every view) → recombination and DEM →
 * projector → LLM, with each {@code <image>} placeholder of a prompt replaced by that image's visual tokens.
 *
 * <p>Shapes for one image: views {@code (2N + 1, 3, S, S)} → features {@code (2N + 1, g, g, d_v)} → DEM
 * {@code (1, g, g, d_v)} → projector {@code (1, g², d_llm)}. Without a DEM the model is LLaVA-1.5: one low-resolution
 * view, {@code (1, g², d_llm)} from its patch features.
 */
public final class InfLlavaModel {

    private final ClipVisionEncoder vision;
    private final LlamaDecoder llm;
    private final MlpProjector projector;
    private final CropStrategy cropStrategy;
    private final DualPerspectiveEnhancement dem;
    private final int selectLayer;
    private final ClipVisionEncoder.SelectFeature selectFeature;
    private final ClipPreprocessor preprocessor;
    private final boolean referenceLowRes;
    private final boolean defaultCrop;

    private InfLlavaModel(Builder b) {
        this.vision = b.vision;
        this.llm = b.llm;
        this.projector = b.projector;
        this.cropStrategy = b.cropStrategy;
        this.dem = b.dem;
        this.selectLayer = b.selectLayer;
        this.selectFeature = b.selectFeature;
        this.preprocessor = b.preprocessor;
        this.referenceLowRes = b.referenceLowRes;
        this.defaultCrop = b.defaultCrop;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The vision encoder. */
    public ClipVisionEncoder vision() {
        return vision;
    }

    /** The LLM. */
    public LlamaDecoder llm() {
        return llm;
    }

    /** The projector. */
    public MlpProjector projector() {
        return projector;
    }

    /** The DEM, or {@code null} for the LLaVA-1.5 configuration. */
    public DualPerspectiveEnhancement dem() {
        return dem;
    }

    /** The crop strategy. */
    public CropStrategy cropStrategy() {
        return cropStrategy;
    }

    /** Whether the crop strategy is the builder's default for this DEM (or none), which a model directory implies. */
    public boolean usesDefaultCropStrategy() {
        return defaultCrop;
    }

    /** The encoder layer whose features are used. */
    public int selectLayer() {
        return selectLayer;
    }

    /** Patch tokens or class + patch tokens. */
    public ClipVisionEncoder.SelectFeature selectFeature() {
        return selectFeature;
    }

    /** Whether the low-resolution view is computed as the published code does. */
    public boolean referenceLowRes() {
        return referenceLowRes;
    }

    /**
     * Writes this model as a loadable model directory ({@link ModelDirectory}): {@code config.json} with the LLaVA and
     * toolkit fields, {@code model.safetensors}, {@code tokenizer.json} and the tower in {@code vision/}.
     *
     * @param template the chat template the model was trained with, recorded for evaluation
     */
    public void save(Path dir, Path tokenizerFile, String template) {
        ModelDirectory.save(this, dir, tokenizerFile, template);
    }

    /**
     * The visual tokens of one image: {@link #visualFeatures} through the projector, {@code (1, T_v, d_llm)}.
     *
     * @param image any decoded image; converted to RGB
     */
    public NDArray visualTokens(ParameterStore ps, NDManager manager, BufferedImage image, boolean training) {
        return projector.project(ps, visualFeatures(ps, manager, image, training), training); // (1, T_v, d_llm)
    }

    /**
     * The visual features of one image before the projector, {@code (1, T_v, d_v)}: the low-resolution view's patch
     * features without a DEM, else the DEM's output.
     *
     * @param image any decoded image; converted to RGB
     */
    public NDArray visualFeatures(ParameterStore ps, NDManager manager, BufferedImage image, boolean training) {
        if (!(cropStrategy instanceof DualPerspectiveCropper dcm)) {
            throw new IllegalStateException("crop strategy " + cropStrategy.name()
                    + " is not a DualPerspectiveCropper; this model takes DCM views only");
        }
        DualCrops crops = dcm.crop(ClipPreprocessor.toRgb(image));
        CropPlan plan = crops.plan();
        int size = vision.config().imageSize();
        if (plan.subWidth() != size || plan.subHeight() != size) {
            throw new IllegalStateException("crop strategy " + cropStrategy.name() + " makes " + plan.subWidth() + "x"
                    + plan.subHeight() + " views but the encoder takes " + size + "x" + size);
        }
        List<float[]> views = new ArrayList<>();
        for (BufferedImage v : crops.views()) {
            views.add(preprocessor.normalize(v));
        }
        if (plan.lowResView() && referenceLowRes) {
            CropGrid g = plan.grid();
            views.set(views.size() - 1, ClipPreprocessor.lowResReference(preprocessor.normalize(crops.canvas()),
                    g.height(), g.width(), size, size));
        }
        float[] all = new float[views.size() * 3 * size * size];
        for (int i = 0; i < views.size(); i++) {
            System.arraycopy(views.get(i), 0, all, i * 3 * size * size, 3 * size * size);
        }
        NDArray pixels = manager.create(all, new Shape(views.size(), 3, size, size)); // (V, 3, S, S)
        NDArray feats = vision.features(ps, pixels, selectLayer, selectFeature, training); // (V, P, d)
        long d = feats.getShape().get(2);
        if (dem == null) {
            return feats.get(views.size() - 1 + ":").reshape(1, -1, d); // (1, P, d_v)
        }
        if (selectFeature != ClipVisionEncoder.SelectFeature.PATCH) {
            throw new IllegalStateException("the DEM needs patch features (select feature PATCH)");
        }
        int g = vision.config().gridSize();
        int n = plan.grid().count();
        NDArray maps = feats.reshape(views.size(), g, g, d); // (V, g, g, d)
        NDArray local;
        NDArray global;
        if (plan.perspectives().size() == 2) {
            local = maps.get(":" + n);
            global = maps.get(n + ":" + 2 * n);
        } else {
            throw new IllegalStateException("the DEM needs both perspectives from the crop strategy, got "
                    + plan.perspectives());
        }
        NDArray low = plan.lowResView() ? maps.get((views.size() - 1) + ":") : null; // (1, g, g, d)
        NDArray fused = dem.forwardSubFeatures(ps, local, global, low, training); // (1, g', g', d)
        return fused.reshape(1, -1, d); // (1, T_v, d_v)
    }

    /**
     * Embeds a prompt: text pieces through the LLM's embedding table, each {@link ChatTemplate#IMAGE_TOKEN} replaced
     * by the visual tokens of the next image. Text-only prompts need no images.
     *
     * @return {@code (1, T', d_llm)}
     */
    public NDArray embed(ParameterStore ps, NDManager manager, long[] ids, List<BufferedImage> images,
            boolean training) {
        int placeholders = 0;
        for (long id : ids) {
            placeholders += id == ChatTemplate.IMAGE_TOKEN ? 1 : 0;
        }
        if (placeholders != images.size()) {
            throw new InvalidInputException("the prompt has " + placeholders + " <image> placeholder(s) but "
                    + images.size() + " image(s) were given");
        }
        NDList parts = new NDList();
        int start = 0;
        int image = 0;
        for (int i = 0; i <= ids.length; i++) {
            if (i == ids.length || ids[i] == ChatTemplate.IMAGE_TOKEN) {
                if (i > start) {
                    long[] text = java.util.Arrays.copyOfRange(ids, start, i);
                    parts.add(llm.embed(ps, manager.create(text, new Shape(1, text.length)), training)); // (1, t, d)
                }
                if (i < ids.length) {
                    parts.add(visualTokens(ps, manager, images.get(image++), training)); // (1, T_v, d)
                }
                start = i + 1;
            }
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1); // (1, T', d_llm)
    }

    /**
     * Generates answers for a batch of rendered prompts with their images in one left-padded batch: each prompt is
     * embedded with its visual tokens, padded on the left with zero vectors to the longest, and decoded together with
     * a key mask, so every row gets what {@link #generate} would give it alone (up to float rounding). Autograd is off
     * meanwhile ({@link GradMode}), whatever the calling thread's setting.
     *
     * @return each row's new tokens, up to and including a stop token
     */
    public List<long[]> generateBatch(ParameterStore ps, NDManager manager, List<long[]> ids,
            List<List<BufferedImage>> images, GenerationConfig config) {
        try (GradMode off = GradMode.disabled()) {
            return batch(ps, manager, ids, images, config);
        }
    }

    private List<long[]> batch(ParameterStore ps, NDManager manager, List<long[]> ids,
            List<List<BufferedImage>> images, GenerationConfig config) {
        if (ids.size() != images.size() || ids.isEmpty()) {
            throw new IllegalArgumentException("generateBatch needs one image list per prompt and at least one prompt, "
                    + "got " + ids.size() + " prompts and " + images.size() + " image lists");
        }
        List<NDArray> rows = new ArrayList<>();
        long longest = 0;
        for (int i = 0; i < ids.size(); i++) {
            NDArray e = embed(ps, manager, ids.get(i), images.get(i), false); // (1, T_i, d)
            rows.add(e);
            longest = Math.max(longest, e.getShape().get(1));
        }
        int d = llm.config().hiddenSize();
        NDList padded = new NDList();
        float[] mask = new float[(int) (rows.size() * longest)];
        for (int i = 0; i < rows.size(); i++) {
            long t = rows.get(i).getShape().get(1);
            NDArray row = t == longest ? rows.get(i)
                    : manager.zeros(new Shape(1, longest - t, d)).concat(rows.get(i), 1); // (1, T, d)
            padded.add(row);
            java.util.Arrays.fill(mask, (int) (i * longest + longest - t), (int) ((i + 1) * longest), 1f);
        }
        NDArray embeds = padded.size() == 1 ? padded.get(0) : NDArrays.concat(padded, 0); // (B, T, d)
        NDArray keyMask = manager.create(mask, new Shape(rows.size(), longest)); // (B, T)
        return new Generator(llm).generate(ps, embeds, keyMask, config, null);
    }

    /** Generates an answer to a rendered prompt with its images. */
    public long[] generate(ParameterStore ps, NDManager manager, long[] ids, List<BufferedImage> images,
            GenerationConfig config, Generator.TokenListener listener) {
        try (GradMode off = GradMode.disabled()) {
            NDArray embeds = embed(ps, manager, ids, images, false);
            return new Generator(llm).generate(ps, embeds, null, config, listener).get(0);
        }
    }

    /**
     * Loads an INF-LLaVA model directory: the LLM (shards with {@code model.safetensors.index.json}, or single files)
     * and the adapter ({@code mm_projector.*} and {@code spatial_embed.*}, with or without a {@code model.} prefix,
     * in any {@code *.safetensors} of {@code modelDir}), plus the CLIP tower from {@code visionDir}. A directory this
     * toolkit saved says its DEM and pre-processing in {@code config.json}'s {@code infllava} block; a published one
     * gets the REFERENCE DEM preset and the published pre-processing (pad to square, 3×3 grid, reference
     * low-resolution view). See {@link ModelDirectory}.
     */
    public static InfLlavaModel fromPretrained(Path modelDir, Path visionDir, NDManager manager) {
        return ModelDirectory.load(modelDir, visionDir, manager);
    }

    /** Builder: vision encoder, LLM and projector are required. */
    public static final class Builder {
        private ClipVisionEncoder vision;
        private LlamaDecoder llm;
        private MlpProjector projector;
        private CropStrategy cropStrategy;
        private DualPerspectiveEnhancement dem;
        private int selectLayer = -2;
        private ClipVisionEncoder.SelectFeature selectFeature = ClipVisionEncoder.SelectFeature.PATCH;
        private ClipPreprocessor preprocessor = ClipPreprocessor.clip();
        private boolean referenceLowRes;
        private boolean defaultCrop;

        private Builder() {}

        /** The vision tower. Required. */
        public Builder setVisionEncoder(ClipVisionEncoder vision) {
            this.vision = vision;
            return this;
        }

        /** The LLM. Required. */
        public Builder setLlm(LlamaDecoder llm) {
            this.llm = llm;
            return this;
        }

        /** The projector from vision width to LLM width. Required. */
        public Builder setProjector(MlpProjector projector) {
            this.projector = projector;
            return this;
        }

        /**
         * How images become views; default: DCM at the encoder's resolution, 3×3, pad to square, low-resolution view
         * with a DEM; one padded low-resolution view (LLaVA-1.5) without.
         */
        public Builder optCropStrategy(CropStrategy cropStrategy) {
            this.cropStrategy = cropStrategy;
            return this;
        }

        /** The DEM; default none, which makes the model LLaVA-1.5. */
        public Builder optDem(DualPerspectiveEnhancement dem) {
            this.dem = dem;
            return this;
        }

        /** Encoder layer whose features are used; default −2. */
        public Builder optSelectLayer(int selectLayer) {
            this.selectLayer = selectLayer;
            return this;
        }

        /** Patch tokens or class + patch tokens; default patch. */
        public Builder optSelectFeature(ClipVisionEncoder.SelectFeature selectFeature) {
            this.selectFeature = selectFeature;
            return this;
        }

        /** Pre-processing statistics; default CLIP's. */
        public Builder optPreprocessor(ClipPreprocessor preprocessor) {
            this.preprocessor = preprocessor;
            return this;
        }

        /** Compute the low-resolution view as the published code does (bicubic of the normalised canvas); default false. */
        public Builder optReferenceLowRes(boolean referenceLowRes) {
            this.referenceLowRes = referenceLowRes;
            return this;
        }

        /** Validates the widths between the parts, naming them. */
        public InfLlavaModel build() {
            if (vision == null || llm == null || projector == null) {
                throw new IllegalArgumentException("setVisionEncoder, setLlm and setProjector are required");
            }
            int dv = vision.config().hiddenSize();
            long pin = projector.namedParameters().values().iterator().next().getShape().get(1);
            long pout = projector.getOutputShapes(new Shape[] {new Shape(1, dv)})[0].get(1);
            if (pin != dv || pout != llm.config().hiddenSize()) {
                throw new IllegalArgumentException("projector maps " + pin + " -> " + pout + " but the vision width is "
                        + dv + " and the LLM width " + llm.config().hiddenSize());
            }
            if (dem != null && dem.config().channels() != dv) {
                throw new IllegalArgumentException("DEM channels " + dem.config().channels()
                        + " differ from the vision width " + dv);
            }
            int size = vision.config().imageSize();
            defaultCrop = cropStrategy == null;
            if (cropStrategy == null) {
                cropStrategy = dem == null
                        ? DualPerspectiveCropper.builder().setSubImageSize(size).optGrid(1, 1)
                                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optPerspectives().optLowResView(true)
                                .optName("llava-1.5").build()
                        : DualPerspectiveCropper.builder().setSubImageSize(size)
                                .optGrid(dem.config().columns(), dem.config().rows())
                                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optLowResView(true).build();
            }
            return new InfLlavaModel(this);
        }
    }
}
