package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.infllava.crop.CropStrategies;
import org.infllava.crop.CropStrategy;
import org.infllava.crop.DualPerspectiveCropper;
import org.infllava.crop.ResizePolicy;
import org.infllava.dem.DemConfig;
import org.infllava.dem.DemPresets;
import org.infllava.dem.DemVariant;
import org.infllava.dem.DemWeights;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.dem.Fusion;
import org.infllava.dem.LowResCombine;
import org.infllava.dem.Pooling;
import org.infllava.dem.ReCropPairing;
import org.infllava.dem.WindowCrossAttention;
import org.infllava.frontend.DemAssembler;
import org.infllava.frontend.IdentityAssembler;
import org.infllava.frontend.PixelShuffleAssembler;
import org.infllava.frontend.S2Assembler;
import org.infllava.frontend.TokenAssembler;
import org.infllava.frontend.TokenAssemblers;
import org.infllava.frontend.VisualFrontEnd;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.TextTokenizer;
import org.infllava.io.AtomicFiles;
import org.infllava.io.HostTensor;
import org.infllava.io.InvalidInputException;
import org.infllava.io.SafeTensors;
import org.infllava.model.io.HfCheckpoint;

/**
 * INF-LLaVA model directories, in the published layout that {@link InfLlavaModel#fromPretrained} reads:
 *
 * <pre>
 * config.json          LLM fields (llama, mistral or qwen2; model_type llava_llama, llava_mistral or llava_qwen)
 *                      + mm_vision_tower, mm_hidden_size, mm_projector_type, mm_vision_select_layer,
 *                      mm_vision_select_feature, and (toolkit-saved only) an "infllava" block
 * *.safetensors        model.* LLM weights, model.mm_projector.*, model.spatial_embed.* (the DEM)
 * tokenizer.json
 * vision/              the CLIP or SigLIP tower (when mm_vision_tower is a relative path)
 * </pre>
 *
 * The {@code infllava} block makes a directory say everything a published one leaves to convention:
 * {@code {"dem": {channels, columns, rows, heads, variant, fusion, pooling, low_res_combine, pairing,
 * shared_attention, out_projection, residual, norm, bias} | null, "reference_low_res": bool, "template": name,
 * "front_end": {"name", "strategy", "assembler"[, "pad_odd_grid"]}}}: the visual front-end by registry names
 * ({@code VisualFrontEnds}, {@link TokenAssemblers}; the {@code dem} assembler's options are {@code "dem"}), and
 * {@code mm_hidden_size} is the width of the assembler's tokens (3·d for S2, 4·d for pixel shuffle). A block without
 * {@code front_end} (saved before front-ends) means the DEM's DCM + DEM, or LLaVA-1.5 for {@code "dem": null}.
 * Without the block: the REFERENCE preset, a 3×3 grid, pad to square, the published low-resolution view. Learned
 * assembler weights: {@code model.spatial_embed.*} (DEM), {@code model.image_newline} (LLaVA-NeXT).
 */
public final class ModelDirectory {

    /** The toolkit's block in {@code config.json}. */
    public static final String TOOLKIT_FIELD = "infllava";
    /** Where {@link #save} puts the tower, relative to the directory. */
    public static final String VISION_SUBDIR = "vision";

    private ModelDirectory() {}

    /**
     * Writes {@code model} to {@code dir} (replacing it as a whole: written beside it, then renamed; see
     * {@link AtomicFiles#writeDirectory}). On failure (a full disk, a read-only directory) the error names {@code dir}
     * and the cause, and the previous directory is intact.
     *
     * @param tokenizerFile the {@code tokenizer.json} the model was trained with
     * @param template the chat template the model was trained with ({@code plain}, {@code llama3}, ...)
     */
    public static void save(InfLlavaModel model, Path dir, Path tokenizerFile, String template) {
        checkRecordable(model);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new InvalidInputException(tokenizerFile, "not a tokenizer.json file");
        }
        AtomicFiles.writeDirectory(dir, tmp -> {
            model.vision().save(tmp.resolve(VISION_SUBDIR));
            AtomicFiles.copyInto(tokenizerFile, tmp.resolve("tokenizer.json"));
            AtomicFiles.writeInto(tmp.resolve("config.json"), new GsonBuilder().setPrettyPrinting()
                    .serializeNulls().create().toJson(config(model, template)) + "\n");
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            model.llm().namedParameters().forEach((k, p) -> tensors.put(k, host(p.getArray())));
            model.projector().namedParameters().forEach((k, p) -> tensors.put("model." + k, host(p.getArray())));
            model.frontEnd().assembler().export().forEach((k, v) -> tensors.put("model." + k, v));
            SafeTensors.write(tmp.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
            return null;
        });
    }

    /** The {@code config.json} of {@code model}. */
    static JsonObject config(InfLlavaModel model, String template) {
        JsonObject c = model.llm().config().toJson();
        com.google.gson.JsonArray arch = new com.google.gson.JsonArray();
        arch.add(model.llm().config().family().llavaArchitecture());
        c.add("architectures", arch);
        c.addProperty("model_type", model.llm().config().family().llavaModelType());
        c.addProperty("mm_vision_tower", VISION_SUBDIR);
        c.addProperty("mm_hidden_size", model.frontEnd().assembler().outputChannels(model.vision().config().hiddenSize()));
        c.addProperty("mm_projector_type", MlpProjector.typeName(model.projector().type()));
        c.addProperty("mm_vision_select_layer", model.selectLayer());
        c.addProperty("mm_vision_select_feature",
                model.selectFeature() == ClipVisionEncoder.SelectFeature.CLS_PATCH ? "cls_patch" : "patch");
        JsonObject t = new JsonObject();
        t.add("dem", model.dem() == null ? com.google.gson.JsonNull.INSTANCE : demToJson(model.dem().config()));
        t.addProperty("reference_low_res", model.referenceLowRes());
        t.addProperty("template", template);
        JsonObject fe = new JsonObject();
        fe.addProperty("name", model.frontEnd().name());
        fe.addProperty("strategy", model.frontEnd().strategy().name());
        fe.addProperty("assembler", model.frontEnd().assembler().name());
        if (model.frontEnd().assembler() instanceof PixelShuffleAssembler ps && ps.padOddGrid()) {
            fe.addProperty("pad_odd_grid", true);
        }
        t.add("front_end", fe);
        c.add(TOOLKIT_FIELD, t);
        return c;
    }

    /** The DEM configuration as the {@code infllava.dem} object. */
    public static JsonObject demToJson(DemConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("channels", c.channels());
        o.addProperty("columns", c.columns());
        o.addProperty("rows", c.rows());
        o.addProperty("heads", c.heads());
        o.addProperty("variant", c.variant().name());
        o.addProperty("fusion", c.fusion().name());
        o.addProperty("pooling", c.pooling().name());
        o.addProperty("low_res_combine", lower(c.lowResCombine()));
        o.addProperty("pairing", lower(c.pairing()));
        o.addProperty("shared_attention", c.sharedAttention());
        o.addProperty("out_projection", c.outProjection());
        o.addProperty("residual", lower(c.residual()));
        o.addProperty("norm", lower(c.norm()));
        o.addProperty("bias", c.bias());
        return o;
    }

    /** A DEM built from an {@code infllava.dem} object; unknown names are errors naming the field and the file. */
    public static DualPerspectiveEnhancement demFromJson(JsonObject o, Path source) {
        ConfigFields f = new ConfigFields(o, source);
        try {
            return DualPerspectiveEnhancement.builder().setChannels(f.integer("channels", 0))
                    .setGrid(f.integer("columns", 3), f.integer("rows", 3)).optHeads(f.integer("heads", 1))
                    .optVariant(DemVariant.get(f.text("variant", "full")))
                    .optFusion(Fusion.get(f.text("fusion", "linear_concat")))
                    .optPooling(Pooling.get(f.text("pooling", "average")))
                    .optLowResCombine(constant(LowResCombine.class, f.text("low_res_combine", "add")))
                    .optPairing(constant(ReCropPairing.class, f.text("pairing", "equations_4_3_2")))
                    .optSharedAttention(f.bool("shared_attention", false))
                    .optOutProjection(f.bool("out_projection", false))
                    .optResidual(constant(WindowCrossAttention.Residual.class, f.text("residual", "none")))
                    .optNorm(constant(WindowCrossAttention.Norm.class, f.text("norm", "none")))
                    .optBias(f.bool("bias", false)).build();
        } catch (IllegalArgumentException e) {
            throw e instanceof InvalidInputException ? e
                    : new InvalidInputException(source, TOOLKIT_FIELD + ".dem: " + e.getMessage());
        }
    }

    /** Loads a model directory (see the class comment); {@code visionDir} may be {@code null}: {@link #visionDir}. */
    public static InfLlavaModel load(Path modelDir, Path visionDir, NDManager manager) {
        Path tower = visionDir != null ? visionDir : visionDir(modelDir);
        ClipVisionEncoder vision = ClipVisionEncoder.fromPretrained(tower, manager);
        LlamaDecoder llm = LlamaDecoder.fromPretrained(modelDir, manager);
        try (HfCheckpoint ckpt = HfCheckpoint.open(modelDir)) {
            JsonObject c = ckpt.config();
            Path cfg = modelDir.resolve("config.json");
            int dv = vision.config().hiddenSize();
            JsonObject toolkit = c.has(TOOLKIT_FIELD) && c.get(TOOLKIT_FIELD).isJsonObject()
                    ? c.getAsJsonObject(TOOLKIT_FIELD) : null;
            VisualFrontEnd frontEnd = frontEnd(toolkit, cfg, vision.config().imageSize(), dv,
                    llm.config().hiddenSize());
            TokenAssembler assembler = frontEnd.assembler();
            int din = assembler.outputChannels(dv);
            if (c.has("mm_hidden_size") && c.get("mm_hidden_size").getAsInt() != din) {
                throw new InvalidInputException(cfg, "mm_hidden_size " + c.get("mm_hidden_size").getAsInt()
                        + " does not match the width " + din + " of the " + assembler.name() + " tokens of the vision "
                        + "tower's hidden_size " + dv + " (" + tower + ")");
            }
            MlpProjector.Type type;
            try {
                type = MlpProjector.parseType(c.has("mm_projector_type") ? c.get("mm_projector_type").getAsString()
                        : "mlp2x_gelu");
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(cfg, e.getMessage());
            }
            MlpProjector projector = new MlpProjector(type, din, llm.config().hiddenSize());
            projector.initialize(manager, 0);
            String prefix = ckpt.has("model.mm_projector.0.weight") || ckpt.has("model.mm_projector.weight")
                    ? "model." : "";
            ckpt.loadInto(projector, prefix, Map.of());
            if (!assembler.namedParameters().isEmpty()) {
                assembler.initialize(manager, 0);
                String ap = assembler.checkpointPrefix();
                Map<String, HostTensor> adapter = new LinkedHashMap<>();
                for (String name : ckpt.names()) {
                    String bare = name.startsWith("model.") ? name.substring("model.".length()) : name;
                    if (ap.isEmpty() ? assembler.namedParameters().containsKey(bare) : bare.startsWith(ap)) {
                        adapter.put(name, ckpt.tensor(name, ckpt.shape(name)));
                    }
                }
                assembler.load(adapter, modelDir);
            }
            int layer = c.has("mm_vision_select_layer") ? c.get("mm_vision_select_layer").getAsInt() : -2;
            String feature = c.has("mm_vision_select_feature") ? c.get("mm_vision_select_feature").getAsString()
                    : "patch";
            if (feature.equals("cls_patch") && !vision.config().classToken()) {
                throw new InvalidInputException(cfg, "field 'mm_vision_select_feature' is cls_patch, but the "
                        + vision.config().family().modelType() + " tower " + tower + " has no class token");
            }
            return InfLlavaModel.builder().setVisionEncoder(vision).setLlm(llm).setProjector(projector)
                    .optFrontEnd(frontEnd).optSelectLayer(layer)
                    .optSelectFeature(feature.equals("cls_patch") ? ClipVisionEncoder.SelectFeature.CLS_PATCH
                            : ClipVisionEncoder.SelectFeature.PATCH)
                    .build();
        }
    }

    /**
     * The front-end a directory records. With {@code infllava.front_end}: its registry names (the strategy built for
     * the tower's resolution; {@code inf-dcm}'s fixed grid is the DEM's; the {@code dem} assembler from
     * {@code infllava.dem}). A toolkit block without it (saved before front-ends): the DEM's DCM + DEM, or
     * LLaVA-1.5's padded view without a DEM. No toolkit block (a published directory): the REFERENCE DEM on a 3×3
     * DCM with the published low-resolution view.
     */
    static VisualFrontEnd frontEnd(JsonObject toolkit, Path cfg, int size, int dv, int dl) {
        DualPerspectiveEnhancement dem;
        boolean referenceLowRes;
        if (toolkit == null) {
            dem = DemPresets.reference(dv, 3, 3, 8);
            referenceLowRes = true;
        } else {
            JsonElement d = toolkit.get("dem");
            dem = d == null || d.isJsonNull() ? null : demFromJson(d.getAsJsonObject(), cfg);
            referenceLowRes = toolkit.has("reference_low_res") && toolkit.get("reference_low_res").getAsBoolean();
            if (dem != null && dem.config().channels() != dv) {
                throw new InvalidInputException(cfg, TOOLKIT_FIELD + ".dem.channels " + dem.config().channels()
                        + " differs from the vision tower's hidden_size " + dv);
            }
        }
        JsonElement fe = toolkit == null ? null : toolkit.get("front_end");
        try {
            if (fe == null || fe.isJsonNull()) {
                return dem == null
                        ? new VisualFrontEnd("llava-1.5", referenceLowRes ? llava15Dcm(size)
                                : CropStrategies.get("llava-1.5", size), new IdentityAssembler(), referenceLowRes)
                        : new VisualFrontEnd(DualPerspectiveCropper.NAME, dcm(size, dem), new DemAssembler(dem),
                                referenceLowRes);
            }
            ConfigFields f = new ConfigFields(fe.getAsJsonObject(), cfg);
            String name = f.text("name", "");
            String strategyName = f.text("strategy", "");
            String assemblerName = f.text("assembler", "");
            TokenAssembler assembler;
            if (assemblerName.equals(DemAssembler.NAME)) {
                if (dem == null) {
                    throw new InvalidInputException(cfg, TOOLKIT_FIELD + ".front_end: assembler dem needs "
                            + TOOLKIT_FIELD + ".dem");
                }
                assembler = new DemAssembler(dem);
            } else if (assemblerName.equals(PixelShuffleAssembler.NAME)) {
                assembler = new PixelShuffleAssembler(f.bool("pad_odd_grid", false));
            } else {
                assembler = TokenAssemblers.create(assemblerName, dv, dl);
            }
            CropStrategy strategy = strategyName.equals(DualPerspectiveCropper.NAME) && dem != null
                    ? dcm(size, dem)
                    : referenceLowRes && strategyName.equals("llava-1.5") ? llava15Dcm(size)
                    : CropStrategies.get(strategyName, size);
            return new VisualFrontEnd(name, strategy, assembler, referenceLowRes);
        } catch (IllegalArgumentException e) {
            throw e instanceof InvalidInputException ? e
                    : new InvalidInputException(cfg, TOOLKIT_FIELD + ".front_end: " + e.getMessage());
        }
    }

    /**
     * LLaVA-1.5's single view as the DCM builds it (a 1×1 grid of the padded image, no perspective, the low-resolution
     * view), for the published low-resolution computation ({@code reference_low_res}) without a DEM; the same pixels
     * as {@code CropStrategies.get("llava-1.5", size)} otherwise.
     */
    static DualPerspectiveCropper llava15Dcm(int size) {
        return DualPerspectiveCropper.builder().setSubImageSize(size).optGrid(1, 1)
                .optResizePolicy(ResizePolicy.PAD_TO_SQUARE).optPerspectives().optLowResView(true)
                .optName("llava-1.5").build();
    }

    /** INF-LLaVA's DCM for a DEM: its grid at the tower's resolution, pad to square, the low-resolution view. */
    private static DualPerspectiveCropper dcm(int size, DualPerspectiveEnhancement dem) {
        return DualPerspectiveCropper.builder().setSubImageSize(size)
                .optGrid(dem.config().columns(), dem.config().rows()).optResizePolicy(ResizePolicy.PAD_TO_SQUARE)
                .optLowResView(true).build();
    }

    /**
     * A directory records the front-end by registry names; one whose parts those names would not rebuild (a custom
     * strategy or assembler) cannot be saved.
     */
    private static void checkRecordable(InfLlavaModel model) {
        VisualFrontEnd fe = model.frontEnd();
        int size = model.vision().config().imageSize();
        int dv = model.vision().config().hiddenSize();
        JsonObject t = config(model, "plain").getAsJsonObject(TOOLKIT_FIELD);
        VisualFrontEnd rebuilt;
        try {
            rebuilt = frontEnd(t, Path.of("config.json"), size, dv, model.llm().config().hiddenSize());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a model directory records the front-end by registry names; " + fe
                    + " cannot be rebuilt from them: " + e.getMessage());
        }
        boolean same = rebuilt.strategy().getClass() == fe.strategy().getClass()
                && rebuilt.assembler().getClass() == fe.assembler().getClass()
                && !(fe.assembler() instanceof PixelShuffleAssembler p
                        && p.padOddGrid() != ((PixelShuffleAssembler) rebuilt.assembler()).padOddGrid())
                && !(fe.assembler() instanceof S2Assembler s2
                        && !s2.scales().equals(((S2Assembler) rebuilt.assembler()).scales()))
                && (!(fe.strategy() instanceof DualPerspectiveCropper)
                        || rebuilt.strategy().toString().equals(fe.strategy().toString()));
        for (int[] wh : new int[][] {{size, size}, {3 * size, 2 * size}, {size, 4 * size}}) {
            same &= sameLayout(rebuilt.strategy(), fe.strategy(), wh[0], wh[1]);
        }
        if (!same) {
            throw new IllegalArgumentException("a model directory records the front-end by registry names; " + fe
                    + " differs from what they rebuild (" + rebuilt + ")");
        }
    }

    private static boolean sameLayout(CropStrategy a, CropStrategy b, int w, int h) {
        try {
            return a.layout(w, h).equals(b.layout(w, h));
        } catch (IllegalArgumentException e) {
            return true; // neither can crop that size: no difference to see
        }
    }

    /**
     * The tower directory {@code config.json}'s {@code mm_vision_tower} names: an existing directory as written, or
     * relative to {@code modelDir}. Hub names are not downloaded: the error says to pass the directory.
     */
    public static Path visionDir(Path modelDir) {
        JsonObject c = readConfig(modelDir);
        Path cfg = modelDir.resolve("config.json");
        if (!c.has("mm_vision_tower")) {
            throw new InvalidInputException(cfg, "no mm_vision_tower: pass the vision tower directory");
        }
        String t = c.get("mm_vision_tower").getAsString();
        for (Path p : new Path[] {modelDir.resolve(t), Path.of(t)}) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new InvalidInputException(cfg, "mm_vision_tower '" + t + "' is not a local directory: pass the vision "
                + "tower directory (downloads are not made)");
    }

    /** The chat template a toolkit-saved directory records, if any. */
    public static Optional<String> template(Path modelDir) {
        JsonObject c = readConfig(modelDir);
        if (c.has(TOOLKIT_FIELD) && c.get(TOOLKIT_FIELD).isJsonObject()) {
            JsonElement t = c.getAsJsonObject(TOOLKIT_FIELD).get("template");
            if (t != null && !t.isJsonNull()) {
                if (!t.isJsonPrimitive()) {
                    throw new InvalidInputException(modelDir.resolve("config.json"), "field '" + TOOLKIT_FIELD
                            + ".template' must be a string");
                }
                return Optional.of(t.getAsString());
            }
        }
        return Optional.empty();
    }

    /**
     * The chat template to prompt the model with: {@code override} when given, else the one the directory records,
     * else {@code llama3}; an unknown name is an error naming it.
     */
    public static ChatTemplate chatTemplate(Path modelDir, String override) {
        String name = override != null ? override : template(modelDir).orElse("llama3");
        try {
            return ChatTemplate.get(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--template: " + e.getMessage());
        }
    }

    /**
     * Tokens that end an answer: the template's stop text, {@code config.json}'s {@code eos_token_id}, and
     * {@code </s>} when the tokenizer has it (the toolkit's word-level tokenizers end answers with it).
     */
    public static long[] stopTokens(Path modelDir, TextTokenizer tokenizer, ChatTemplate template) {
        List<Long> stops = new ArrayList<>();
        tokenizer.tokenId(template.stopText()).ifPresent(stops::add);
        JsonObject c = readConfig(modelDir);
        if (c.has("eos_token_id") && c.get("eos_token_id").isJsonPrimitive()) {
            stops.add(c.get("eos_token_id").getAsLong());
        }
        tokenizer.tokenId("</s>").ifPresent(stops::add);
        return stops.stream().mapToLong(Long::longValue).distinct().toArray();
    }

    /** {@code modelDir/config.json}; a missing or unreadable file is an error naming it. */
    public static JsonObject readConfig(Path modelDir) {
        Path cfg = modelDir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new InvalidInputException(cfg, "missing (an INF-LLaVA model directory is expected)");
        }
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(Files.readString(cfg));
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(cfg, "not a JSON object: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
        if (!parsed.isJsonObject()) {
            throw new InvalidInputException(cfg, "not a JSON object");
        }
        return parsed.getAsJsonObject();
    }

    private static HostTensor host(NDArray a) {
        return new HostTensor(a.getShape().getShape(), a.toFloatArray());
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String name) {
        try {
            return Enum.valueOf(type, name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                known.append(known.length() == 0 ? "" : ", ").append(lower(c));
            }
            throw new IllegalArgumentException("unknown " + type.getSimpleName() + " '" + name + "' (known: " + known
                    + ")");
        }
    }
}
