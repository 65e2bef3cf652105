package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.infllava.model.io.HfCheckpoint;
import org.infllava.nn.NamedBlock;

/**
 * The vision tower with Hugging Face {@code CLIPVisionModel} or {@code SiglipVisionModel} semantics and key names
 * (without the {@code vision_model.} prefix), by {@link ClipVisionConfig#family()}.
 *
 * <p>Shapes: pixels {@code (B, 3, S, S)} normalised → patches {@code (B, P, 3·p²)} → embeddings {@code (B, N, d)}
 * with {@code N = P + 1} for CLIP (class token first, plus position embeddings, then {@code pre_layrnorm}) and
 * {@code N = P} for SigLIP (patch convolution with bias, plus position embeddings, no pre-norm) → {@code L} pre-LN
 * transformer layers. {@link #hiddenStates} follows Hugging Face's {@code hidden_states} tuple: index 0 is the
 * embedding output, index {@code i} the output of layer {@code i}. {@code post_layernorm} touches only CLIP's pooled
 * class token and SigLIP's {@link #lastHiddenState}; SigLIP's attention-pooling head ({@code head.*} keys) is not
 * loaded.
 */
public final class ClipVisionEncoder extends NamedBlock {

    /** Which tokens of the selected layer are kept (LLaVA's {@code mm_vision_select_feature}). */
    public enum SelectFeature {
        /** Patch tokens only: {@code (B, P, d)} (every token of a tower without a class token). */
        PATCH,
        /** Class token and patch tokens: {@code (B, P + 1, d)}; towers without a class token refuse it. */
        CLS_PATCH
    }

    private record Layer(Norm ln1, Dense q, Dense k, Dense v, Dense out, Norm ln2, Dense fc1, Dense fc2) {}

    private final ClipVisionConfig config;
    private final Parameter patchEmbedding;
    private final Parameter patchBias;
    private final Parameter classEmbedding;
    private final Parameter positionEmbedding;
    private final Norm preNorm;
    private final List<Layer> layers = new ArrayList<>();
    private final Norm postNorm;

    /** An uninitialised tower of this shape. */
    public ClipVisionEncoder(ClipVisionConfig c) {
        this.config = c;
        int d = c.hiddenSize();
        int p = c.patchSize();
        patchEmbedding = addParameter(Parameter.builder().setName("embeddings.patch_embedding.weight")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(d, c.channels(), p, p))
                .optInitializer(new NormalInitializer(0.02f)).build());
        patchBias = c.classToken() ? null : addParameter(Parameter.builder() // SigLIP's convolution has a bias
                .setName("embeddings.patch_embedding.bias").setType(Parameter.Type.BIAS).optShape(new Shape(d))
                .optInitializer(new ai.djl.training.initializer.ConstantInitializer(0f)).build());
        classEmbedding = !c.classToken() ? null : addParameter(Parameter.builder()
                .setName("embeddings.class_embedding").setType(Parameter.Type.WEIGHT).optShape(new Shape(d))
                .optInitializer(new NormalInitializer(0.02f)).build());
        positionEmbedding = addParameter(Parameter.builder().setName("embeddings.position_embedding.weight")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(c.tokens(), d))
                .optInitializer(new NormalInitializer(0.02f)).build());
        preNorm = c.classToken() ? layerNorm("pre_layrnorm", d, c.layerNormEps()) : null; // SigLIP has none
        for (int i = 0; i < c.layers(); i++) {
            String n = "encoder.layers." + i + ".";
            layers.add(new Layer(layerNorm(n + "layer_norm1", d, c.layerNormEps()),
                    dense(n + "self_attn.q_proj", d, d, true), dense(n + "self_attn.k_proj", d, d, true),
                    dense(n + "self_attn.v_proj", d, d, true), dense(n + "self_attn.out_proj", d, d, true),
                    layerNorm(n + "layer_norm2", d, c.layerNormEps()), dense(n + "mlp.fc1", d, c.intermediateSize(), true),
                    dense(n + "mlp.fc2", c.intermediateSize(), d, true)));
        }
        postNorm = layerNorm("post_layernorm", d, c.layerNormEps());
    }

    /**
     * Loads a CLIPVisionModel or SiglipVisionModel directory, or a full CLIP / SigLIP directory
     * ({@code vision_config}; {@code text_model.*}, {@code logit_scale}, {@code logit_bias} and SigLIP's pooling
     * {@code head.*} ignored), into a new initialised tower.
     */
    public static ClipVisionEncoder fromPretrained(Path dir, NDManager manager) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            ClipVisionEncoder enc = new ClipVisionEncoder(ClipVisionConfig.fromJson(ckpt.config(),
                    dir.resolve("config.json")));
            enc.initialize(manager, 0);
            ckpt.loadInto(enc, "vision_model.", Map.of());
            return enc;
        }
    }

    /**
     * Writes the tower as a CLIPVisionModel directory ({@code config.json} and {@code model.safetensors} with
     * {@code vision_model.*} keys) that {@link #fromPretrained} and Hugging Face read.
     */
    public void save(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
            org.infllava.io.AtomicFiles.writeString(dir.resolve("config.json"), new com.google.gson.GsonBuilder()
                    .setPrettyPrinting().create().toJson(config.toJson()) + "\n");
        } catch (java.io.IOException e) {
            throw new org.infllava.io.InvalidInputException(dir, "cannot write: " + e.getMessage(), e);
        }
        java.util.Map<String, org.infllava.io.HostTensor> tensors = new java.util.LinkedHashMap<>();
        namedParameters().forEach((k, p) -> tensors.put("vision_model." + k, new org.infllava.io.HostTensor(
                p.getShape().getShape(), p.getArray().toFloatArray())));
        org.infllava.io.SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
    }

    /** Initialises every parameter from {@code seed}. */
    public void initialize(NDManager manager, long seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        Shape in = new Shape(1, config.channels(), config.imageSize(), config.imageSize());
        initialize(manager, DataType.FLOAT32, in);
    }

    /** The configuration. */
    public ClipVisionConfig config() {
        return config;
    }

    /**
     * Hugging Face's {@code hidden_states} up to index {@code upTo}: embedding output, then each layer's output.
     *
     * @param pixels {@code (B, 3, S, S)}, normalised
     * @return {@code upTo + 1} arrays of {@code (B, N, d)}, {@code N} = {@link ClipVisionConfig#tokens()}
     */
    public List<NDArray> hiddenStates(ParameterStore ps, NDArray pixels, int upTo, boolean training) {
        if (upTo < 0 || upTo > config.layers()) {
            throw new IllegalArgumentException("hidden state index " + upTo + " outside 0.." + config.layers());
        }
        List<NDArray> states = new ArrayList<>();
        try (IntraOpThreads threads = IntraOpThreads.forFlops(flops(pixels.getShape().get(0), upTo))) {
            NDArray h = embeddings(ps, pixels, training); // (B, N, d)
            h = preNorm == null ? h : preNorm.apply(ps, h, training);
            states.add(h);
            for (int i = 0; i < upTo; i++) {
                h = layer(ps, layers.get(i), h, training);
                states.add(h);
            }
        }
        return states;
    }

    /** Floating-point operations of the embeddings and {@code layers} layers for {@code b} images. */
    private long flops(long b, int layers) {
        long d = config.hiddenSize();
        long t = config.tokens();
        long p = config.patchSize();
        long perLayer = t * (4 * d * d + 2 * d * config.intermediateSize()) + 2 * t * t * d;
        return 2 * b * (layers * perLayer + t * d * config.channels() * p * p);
    }

    /**
     * The features LLaVA takes: {@code hidden_states[selectLayer]} (negative counts from the end, −2 by default in
     * LLaVA), with or without the class token. Runs only the layers needed. A tower without a class token (SigLIP)
     * gives all its tokens for {@code PATCH} and refuses {@code CLS_PATCH}.
     */
    public NDArray features(ParameterStore ps, NDArray pixels, int selectLayer, SelectFeature select,
            boolean training) {
        int index = selectLayer < 0 ? config.layers() + 1 + selectLayer : selectLayer;
        if (index < 0 || index > config.layers()) {
            throw new IllegalArgumentException("select layer " + selectLayer + " outside the " + (config.layers() + 1)
                    + " hidden states");
        }
        checkSelect(select);
        NDArray h = hiddenStates(ps, pixels, index, training).get(index); // (B, N, d)
        return select == SelectFeature.PATCH && config.classToken() ? NamedBlock.slice(h, PATCHES) : h; // (B, P, d) or (B, N, d)
    }

    /** Refuses {@code CLS_PATCH} on a tower without a class token, naming it. */
    public void checkSelect(SelectFeature select) {
        if (select == SelectFeature.CLS_PATCH && !config.classToken()) {
            throw new IllegalArgumentException("cls_patch selects a class token, which a "
                    + config.family().modelType() + " tower does not have: select patch");
        }
    }

    /**
     * Hugging Face's {@code last_hidden_state} {@code (B, N, d)}: the last layer's output for CLIP, and that output
     * through {@code post_layernorm} for SigLIP.
     */
    public NDArray lastHiddenState(ParameterStore ps, NDArray pixels, boolean training) {
        NDArray last = hiddenStates(ps, pixels, config.layers(), training).get(config.layers()); // (B, N, d)
        return config.classToken() ? last : postNorm.apply(ps, last, training);
    }

    /**
     * {@code post_layernorm} of the last layer's class token: CLIP's {@code pooler_output}, {@code (B, d)}. SigLIP
     * pools with its attention head, which is not loaded: refused.
     */
    public NDArray pooled(ParameterStore ps, NDArray pixels, boolean training) {
        if (!config.classToken()) {
            throw new IllegalStateException("a " + config.family().modelType() + " tower pools with its attention "
                    + "head, which the toolkit does not load: use lastHiddenState or features");
        }
        NDArray last = hiddenStates(ps, pixels, config.layers(), training).get(config.layers());
        return postNorm.apply(ps, last.get(":, 0, :"), training);
    }

    /**
     * Patch embedding (a stride-p convolution as a matmul; with a bias for SigLIP), the class token for CLIP, and
     * position embeddings.
     */
    private NDArray embeddings(ParameterStore ps, NDArray pixels, boolean training) {
        Shape s = pixels.getShape();
        int p = config.patchSize();
        int g = config.gridSize();
        int c = config.channels();
        if (s.dimension() != 4 || s.get(1) != c || s.get(2) != config.imageSize() || s.get(3) != config.imageSize()) {
            throw new IllegalArgumentException("expected pixels (B, " + c + ", " + config.imageSize() + ", "
                    + config.imageSize() + "), got " + s);
        }
        long b = s.get(0);
        int d = config.hiddenSize();
        NDArray w = ps.getValue(patchEmbedding, pixels.getDevice(), training).reshape(d, (long) c * p * p); // (d, 3p²)
        NDArray px = pixels.getDataType() == w.getDataType() ? pixels : pixels.toType(w.getDataType(), false);
        NDArray patches = px.reshape(b, c, g, p, g, p) // (B, C, gy, p, gx, p)
                .transpose(0, 2, 4, 1, 3, 5) // (B, gy, gx, C, p, p)
                .reshape(b, (long) g * g, (long) c * p * p); // (B, P, 3p²)
        NDArray x = linear(patches, w, null); // (B, P, d)
        NDArray pos = ps.getValue(positionEmbedding, pixels.getDevice(), training); // (N, d)
        if (!config.classToken()) {
            return x.add(ps.getValue(patchBias, pixels.getDevice(), training)).add(pos); // (B, P, d)
        }
        NDArray cls = ps.getValue(classEmbedding, pixels.getDevice(), training).reshape(1, 1, d); // (1, 1, d)
        cls = b == 1 ? cls : cls.broadcast(new Shape(b, 1, d)); // (B, 1, d)
        return cls.concat(x, 1).add(pos); // (B, P + 1, d)
    }

    private NDArray layer(ParameterStore ps, Layer l, NDArray h, boolean training) {
        NDArray a = attention(ps, l, l.ln1().apply(ps, h, training), training);
        h = h.add(a);
        NDArray m = l.fc2().apply(ps, activation(l.fc1().apply(ps, l.ln2().apply(ps, h, training), training)),
                training);
        return h.add(m);
    }

    /** The patch tokens of {@code (B, N, d)} hidden states: the class token dropped. */
    private static final ai.djl.ndarray.index.NDIndex PATCHES = new ai.djl.ndarray.index.NDIndex(":, 1:, :");

    private NDArray attention(ParameterStore ps, Layer l, NDArray x, boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int heads = config.heads();
        int dk = config.hiddenSize() / heads;
        NDList qkv = qkv(ps, l, x, training) // (B, T, 3·d)
                .reshape(b, t, 3L * heads, dk).transpose(0, 2, 1, 3) // (B, 3·nh, T, dk)
                .split(3, 1); // q, k, v: (B, nh, T, dk) each, one engine call
        NDArray q = qkv.get(0);
        q = q.mul(scalar(q, (float) Math.pow(dk, -0.5))); // Hugging Face scales the projected query
        NDArray o = q.matMul(qkv.get(1).transpose(0, 1, 3, 2)).softmax(-1) // (B, nh, T, T)
                .matMul(qkv.get(2)) // (B, nh, T, dk)
                .transpose(0, 2, 1, 3).reshape(b, t, config.hiddenSize()); // (B, T, d)
        return l.out().apply(ps, o, training);
    }

    /**
     * q, k and v projections side by side, {@code (B, T, 3·d)}: one matmul over the concatenated weights and biases
     * when they are small ({@link LlamaDecoder#fuseWeightsMax} elements), else three matmuls whose outputs are
     * concatenated. The parameters keep their Hugging Face names and each gets its own gradient.
     */
    private static NDArray qkv(ParameterStore ps, Layer l, NDArray x, boolean training) {
        if (adapter(l.q().weight()) != null || adapter(l.k().weight()) != null || adapter(l.v().weight()) != null) {
            // LoRA adapters extend each projection separately: (B, T, 3·d)
            return ai.djl.ndarray.NDArrays.concat(new NDList(l.q().apply(ps, x, training), l.k().apply(ps, x,
                    training), l.v().apply(ps, x, training)), -1);
        }
        ai.djl.Device dev = x.getDevice();
        NDArray wq = ps.getValue(l.q().weight(), dev, training);
        NDArray wk = ps.getValue(l.k().weight(), dev, training);
        NDArray wv = ps.getValue(l.v().weight(), dev, training);
        NDArray bq = ps.getValue(l.q().bias(), dev, training);
        NDArray bk = ps.getValue(l.k().bias(), dev, training);
        NDArray bv = ps.getValue(l.v().bias(), dev, training);
        if (wq.size() + wk.size() + wv.size() <= LlamaDecoder.fuseWeightsMax) {
            return linear(x, ai.djl.ndarray.NDArrays.concat(new NDList(wq, wk, wv), 0),
                    ai.djl.ndarray.NDArrays.concat(new NDList(bq, bk, bv), 0)); // (B, T, 3·d)
        }
        return ai.djl.ndarray.NDArrays.concat(new NDList(linear(x, wq, bq), linear(x, wk, bk), linear(x, wv, bv)), -1);
    }

    /**
     * {@code quick_gelu} {@code x·σ(1.702x)}, {@code gelu} (erf), or {@code gelu_pytorch_tanh}
     * {@code ½x(1 + tanh(√(2/π)(x + 0.044715x³)))}.
     */
    private NDArray activation(NDArray x) {
        return switch (config.activation()) {
            case "gelu" -> gelu(x);
            case "gelu_pytorch_tanh" -> x.mul(scalar(x, 0.5f)).mul(x.mul(x).mul(x).mul(scalar(x, 0.044715f))
                    .add(x).mul(scalar(x, (float) Math.sqrt(2 / Math.PI))).tanh().add(scalar(x, 1f)));
            default -> x.mul(ai.djl.nn.Activation.sigmoid(x.mul(scalar(x, 1.702f))));
        };
    }

    /** Input: pixels; output: {@code hidden_states[-2]} patch tokens (LLaVA's default). */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(features(ps, inputs.get(0), -2, SelectFeature.PATCH, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        int g = config.gridSize();
        return new Shape[] {new Shape(inputShapes[0].get(0), (long) g * g, config.hiddenSize())};
    }
}
