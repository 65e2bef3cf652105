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
import org.infllava.crop.CropStrategies;
import org.infllava.crop.CropStrategy;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.ResizePolicy;
import org.infllava.crop.ViewLayout;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.frontend.DemAssembler;
import org.infllava.frontend.IdentityAssembler;
import org.infllava.frontend.TokenAssembler;
import org.infllava.frontend.VisualFrontEnd;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.GenerationConfig;
import org.infllava.infer.Generator;
import org.infllava.io.InvalidInputException;

/**
 * INF-LLaVA assembled: a visual front-end's crop strategy → vision encoder (one batched pass over every view) → the
 * front-end's token assembler (INF-LLaVA's: recombination and DEM) → projector → LLM, with each {@code <image>}
 * placeholder of a prompt replaced by that image's visual tokens. Any registered front-end plugs in
 * ({@link org.infllava.frontend.VisualFrontEnds}).
 *
 * <p>Shapes for one image: views {@code (V, 3, S, S)} → features {@code (V, g², d_v)} → assembler
 * {@code (1, T_f, d')} → projector (+ the assembler's LLM-space tokens) {@code (1, T, d_llm)}. For INF-LLaVA
 * {@code V = 2N + 1} and the DEM gives {@code (1, g², d_v)}; without a DEM the model is LLaVA-1.5: one padded view,
 * {@code (1, g², d_llm)} from its patch features.
 */
public final class InfLlavaModel {

    private final ClipVisionEncoder vision;
    private final LlamaDecoder llm;
    private final MlpProjector projector;
    private final VisualFrontEnd frontEnd;
    private final int selectLayer;
    private final ClipVisionEncoder.SelectFeature selectFeature;
    private final ClipPreprocessor preprocessor;
    /** Encoder features per training image (identity keys), when {@link #enableFeatureCache} was called. */
    private java.util.Map<BufferedImage, Encoded> featureCache;
    private NDManager cacheManager;

    private InfLlavaModel(Builder b) {
        this.vision = b.vision;
        this.llm = b.llm;
        this.projector = b.projector;
        this.frontEnd = b.frontEnd;
        this.selectLayer = b.selectLayer;
        this.selectFeature = b.selectFeature;
        this.preprocessor = b.preprocessor;
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

    /** The DEM when the front-end's token assembler is one ({@code inf-dcm}, {@code inf-dcm-auto}), else {@code null}. */
    public DualPerspectiveEnhancement dem() {
        return frontEnd.assembler() instanceof DemAssembler d ? d.dem() : null;
    }

    /** The front-end's crop strategy. */
    public CropStrategy cropStrategy() {
        return frontEnd.strategy();
    }

    /** The visual front-end: crop strategy, token assembler and the low-resolution option. */
    public VisualFrontEnd frontEnd() {
        return frontEnd;
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
        return frontEnd.referenceLowRes();
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
     * The visual tokens of one image: {@link #visualFeatures} through the projector and the assembler's
     * {@link TokenAssembler#toLlm} (LLaVA-NeXT's newlines), {@code (1, T, d_llm)}.
     *
     * @param image any decoded image; converted to RGB
     */
    public NDArray visualTokens(ParameterStore ps, NDManager manager, BufferedImage image, boolean training) {
        return visualTokens(ps, manager, List.of(image), training).get(0);
    }

    /**
     * The visual features of one image before the projector, {@code (1, T_f, d')}: the front-end's views
     * (cropped, normalised) through the encoder in one batch, then its token assembler.
     *
     * @param image any decoded image; converted to RGB
     */
    public NDArray visualFeatures(ParameterStore ps, NDManager manager, BufferedImage image, boolean training) {
        return assemble(ps, manager, List.of(image), training).get(0).features();
    }

    private record Assembled(NDArray features, ViewLayout layout) {}

    /** One image's encoder features {@code (V, P, d_v)} and its views' layout. */
    private record Encoded(NDArray features, ViewLayout layout) {}

    /**
     * Caches the encoder's features of every image seen while {@code training} (keyed by the image object, so the
     * caller must hand the same {@link BufferedImage} again, e.g. {@code Trainer#enableImageCache}): the frozen tower
     * then encodes each training image once instead of at every step, while the assembler (the DEM), the projector
     * and the LLM still train. Only valid while the tower is frozen; the features are computed without autograd and
     * live in {@code manager} ({@code (V, P, d_v)} per image).
     */
    public void enableFeatureCache(NDManager manager) {
        this.cacheManager = java.util.Objects.requireNonNull(manager);
        this.featureCache = java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    }

    /** Images whose features are cached (0 without a cache). */
    public int cachedImages() {
        return featureCache == null ? 0 : featureCache.size();
    }


    /**
     * The visual tokens of several images, {@code (1, T_i, d_llm)} each, with every image's views through the encoder
     * in one batch (one forward instead of one per image: at small sizes the calls, not the arithmetic, cost the
     * time); then each image's assembler, the projector and the assembler's {@link TokenAssembler#toLlm}. Same values
     * as one image at a time up to float rounding.
     */
    public List<NDArray> visualTokens(ParameterStore ps, NDManager manager, List<BufferedImage> images,
            boolean training) {
        List<NDArray> out = new java.util.ArrayList<>();
        for (Assembled a : assemble(ps, manager, images, training)) {
            out.add(frontEnd.assembler().toLlm(ps, a.features(), a.layout(), vision.config().gridSize(),
                    x -> projector.project(ps, x, training), training)); // (1, T, d_llm)
        }
        return out;
    }

    /**
     * Each image's front-end views (cropped, normalised), all images' views through the encoder in one batch, then
     * each image's token assembler: {@code (1, T_f, d')} per image.
     */
    private List<Assembled> assemble(ParameterStore ps, NDManager manager, List<BufferedImage> images,
            boolean training) {
        List<Assembled> out = new java.util.ArrayList<>();
        if (images.isEmpty()) {
            return out;
        }
        Encoded[] encoded = new Encoded[images.size()];
        List<Integer> missing = new java.util.ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            encoded[i] = featureCache == null ? null : featureCache.get(images.get(i));
            if (encoded[i] == null) {
                missing.add(i);
            }
        }
        if (!missing.isEmpty()) {
            boolean store = featureCache != null && training;
            List<BufferedImage> todo = new java.util.ArrayList<>();
            for (int i : missing) {
                todo.add(images.get(i));
            }
            List<Encoded> fresh;
            if (store) {
                try (GradMode off = GradMode.disabled()) {
                    fresh = encode(ps, cacheManager, todo, false);
                }
            } else {
                fresh = encode(ps, manager, todo, training);
            }
            for (int k = 0; k < missing.size(); k++) {
                Encoded e = fresh.get(k);
                if (store) {
                    NDArray kept = e.features().duplicate(); // (V, P, d_v), its own storage
                    ai.djl.ndarray.NDScope.unregister(kept);
                    kept.attach(cacheManager);
                    e = new Encoded(kept, e.layout());
                    featureCache.put(images.get(missing.get(k)), e);
                }
                encoded[missing.get(k)] = e;
            }
        }
        for (Encoded e : encoded) {
            out.add(new Assembled(frontEnd.assembler().assemble(ps, e.features(), e.layout(), training), e.layout())); // (1, T_f, d')
        }
        return out;
    }

    /** Each image's front-end views (cropped, normalised) through the encoder in one batch: {@code (V_i, P, d)} each. */
    private List<Encoded> encode(ParameterStore ps, NDManager manager, List<BufferedImage> images, boolean training) {
        int size = vision.config().imageSize();
        List<VisualFrontEnd.Pixels> all = new java.util.ArrayList<>();
        int views = 0;
        for (BufferedImage image : images) {
            VisualFrontEnd.Pixels px = frontEnd.pixels(image, preprocessor);
            checkViews(px.layout(), size);
            all.add(px);
            views += px.count();
        }
        float[] data = new float[views * 3 * size * size];
        long[] starts = new long[all.size() - 1];
        int at = 0;
        for (int i = 0; i < all.size(); i++) {
            float[] d = all.get(i).data();
            System.arraycopy(d, 0, data, at, d.length);
            at += d.length;
            if (i + 1 < all.size()) {
                starts[i] = at / (3L * size * size);
            }
        }
        NDArray pixels = manager.create(data, new Shape(views, 3, size, size)); // (ΣV, 3, S, S)
        NDList feats = vision.features(ps, pixels, selectLayer, selectFeature, training).split(starts, 0); // (V_i, P, d)
        List<Encoded> out = new java.util.ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            out.add(new Encoded(feats.get(i), all.get(i).layout()));
        }
        return out;
    }

    private void checkViews(ViewLayout layout, int size) {
        if (layout.viewWidth() != size || layout.viewHeight() != size) {
            throw new IllegalStateException("crop strategy " + frontEnd.strategy().name() + " makes "
                    + layout.viewWidth() + "x" + layout.viewHeight() + " views but the encoder takes " + size + "x"
                    + size);
        }
    }

    /**
     * Embeds a prompt: text pieces through the LLM's embedding table, each {@link ChatTemplate#IMAGE_TOKEN} replaced
     * by the visual tokens of the next image. Text-only prompts need no images.
     *
     * @return {@code (1, T', d_llm)}
     */
    public NDArray embed(ParameterStore ps, NDManager manager, long[] ids, List<BufferedImage> images,
            boolean training) {
        checkPlaceholders(ids, images.size());
        return embedWith(ps, manager, ids, visualTokens(ps, manager, images, training), training);
    }

    private static void checkPlaceholders(long[] ids, int images) {
        int placeholders = 0;
        for (long id : ids) {
            placeholders += id == ChatTemplate.IMAGE_TOKEN ? 1 : 0;
        }
        if (placeholders != images) {
            throw new InvalidInputException("the prompt has " + placeholders + " <image> placeholder(s) but "
                    + images + " image(s) were given");
        }
    }

    /**
     * {@link #embed} with the images' visual tokens already computed ({@link #visualTokens(ParameterStore,
     * NDManager, List, boolean)}), in placeholder order.
     *
     * @return {@code (1, T', d_llm)}
     */
    public NDArray embedWith(ParameterStore ps, NDManager manager, long[] ids, List<NDArray> visualTokens,
            boolean training) {
        checkPlaceholders(ids, visualTokens.size());
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
                    parts.add(visualTokens.get(image++)); // (1, T_v, d)
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
            NDArray e = scopedEmbed(ps, manager, ids.get(i), images.get(i)); // (1, T_i, d)
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
            NDArray embeds = scopedEmbed(ps, manager, ids, images);
            return new Generator(llm).generate(ps, embeds, null, config, listener).get(0);
        }
    }

    /**
     * {@link #embed} inside an {@link ai.djl.ndarray.NDScope}, the result moved to {@code manager}: the vision tower's,
     * DEM's and projector's intermediates are closed here. Without the scope the ones attached to the parameters'
     * long-lived manager outlived the call: about 5.7 MB of native memory per generation with an image in the tiny
     * soak config ({@code infllava bench soak}).
     */
    private NDArray scopedEmbed(ParameterStore ps, NDManager manager, long[] ids, List<BufferedImage> images) {
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            NDArray embeds = embed(ps, manager, ids, images, false);
            ai.djl.ndarray.NDScope.unregister(embeds);
            embeds.attach(manager);
            return embeds;
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
        private VisualFrontEnd frontEnd;
        private DualPerspectiveEnhancement dem;
        private int selectLayer = -2;
        private ClipVisionEncoder.SelectFeature selectFeature = ClipVisionEncoder.SelectFeature.PATCH;
        private ClipPreprocessor preprocessor;
        private boolean referenceLowRes;

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
         * The visual front-end (crop strategy + token assembler, e.g. {@code VisualFrontEnds.create(...)}); default:
         * built from {@link #optDem} — with a DEM, INF-LLaVA's DCM at the encoder's resolution on the DEM's grid (pad
         * to square, low-resolution view) + the DEM; without, LLaVA-1.5's one padded view + identity. Its assembler
         * sets the projector's input width.
         */
        public Builder optFrontEnd(VisualFrontEnd frontEnd) {
            this.frontEnd = frontEnd;
            return this;
        }

        /** The DEM of the default front-end (see {@link #optFrontEnd}); default none, which makes the model LLaVA-1.5. */
        public Builder optDem(DualPerspectiveEnhancement dem) {
            this.dem = dem;
            return this;
        }

        /** Encoder layer whose features are used; default −2. */
        public Builder optSelectLayer(int selectLayer) {
            this.selectLayer = selectLayer;
            return this;
        }

        /** Patch tokens or class + patch tokens (towers with a class token only); default patch. */
        public Builder optSelectFeature(ClipVisionEncoder.SelectFeature selectFeature) {
            this.selectFeature = selectFeature;
            return this;
        }

        /** Pre-processing statistics; default the tower family's ({@link ClipVisionConfig#preprocessor()}). */
        public Builder optPreprocessor(ClipPreprocessor preprocessor) {
            this.preprocessor = preprocessor;
            return this;
        }

        /**
         * For the default front-end: compute the low-resolution view as the published code does (bicubic of the
         * normalised canvas); default false. A given front-end carries its own setting.
         */
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
            int size = vision.config().imageSize();
            vision.checkSelect(selectFeature);
            if (preprocessor == null) {
                preprocessor = vision.config().preprocessor();
            }
            if (frontEnd != null && (dem != null || referenceLowRes)) {
                throw new IllegalArgumentException("optFrontEnd(" + frontEnd + ") and optDem/optReferenceLowRes both "
                        + "set: the DEM and the low-resolution option belong to the front-end, choose one");
            }
            if (dem != null && dem.config().channels() != dv) {
                throw new IllegalArgumentException("DEM channels " + dem.config().channels()
                        + " differ from the vision width " + dv);
            }
            if (frontEnd == null) {
                frontEnd = dem == null
                        ? new VisualFrontEnd("llava-1.5", referenceLowRes ? ModelDirectory.llava15Dcm(size)
                                : CropStrategies.get("llava-1.5", size), new IdentityAssembler(), referenceLowRes)
                        : new VisualFrontEnd(DualPerspectiveCropper.NAME, DualPerspectiveCropper.builder()
                                .setSubImageSize(size).optGrid(dem.config().columns(), dem.config().rows())
                                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optLowResView(true).build(),
                                new DemAssembler(dem), referenceLowRes);
            }
            int din = frontEnd.assembler().outputChannels(dv);
            long pin = projector.namedParameters().values().iterator().next().getShape().get(1);
            long pout = projector.getOutputShapes(new Shape[] {new Shape(1, din)})[0].get(1);
            if (pin != din || pout != llm.config().hiddenSize()) {
                throw new IllegalArgumentException("projector maps " + pin + " -> " + pout + " but the front-end "
                        + frontEnd + " gives tokens of width " + din + " (vision width " + dv + ") and the LLM width is "
                        + llm.config().hiddenSize());
            }
            return new InfLlavaModel(this);
        }
    }
}
