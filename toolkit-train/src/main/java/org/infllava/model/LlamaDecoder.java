package org.infllava.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.infllava.model.io.HfCheckpoint;
import org.infllava.nn.NamedBlock;

/**
 * A decoder-only LLM with Hugging Face {@code LlamaForCausalLM} semantics and key names: RMSNorm, grouped-query
 * attention with RoPE ({@code rope_theta}, optional {@code llama3} scaling), causal plus padding mask, SwiGLU MLP,
 * final norm, {@code lm_head} or tied embeddings, and a {@link KvCache}.
 *
 * <p>Shapes: ids {@code (B, T)} → embeddings {@code (B, T, d)} → logits {@code (B, T, V)}. Queries
 * {@code (B, kvHeads, rep, T, hd)} attend to keys {@code (B, kvHeads, 1, T_all, hd)} by broadcasting, so the grouped
 * keys are never copied per query head.
 */
public final class LlamaDecoder extends NamedBlock {

    private record Layer(Parameter inNorm, Dense q, Dense k, Dense v, Dense o, Parameter postNorm, Dense gate,
            Dense up, Dense down) {}

    private final LlamaConfig config;
    private final Parameter embed;
    private final List<Layer> layers = new ArrayList<>();
    private final Parameter norm;
    private final Dense lmHead;
    private final float[] invFreq;

    /** An uninitialised decoder of this shape. */
    public LlamaDecoder(LlamaConfig c) {
        this.config = c;
        int d = c.hiddenSize();
        int hd = c.headDim();
        embed = addParameter(Parameter.builder().setName("model.embed_tokens.weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(c.vocabSize(), d)).optInitializer(new NormalInitializer(0.02f)).build());
        for (int i = 0; i < c.layers(); i++) {
            String n = "model.layers." + i + ".";
            layers.add(new Layer(rmsWeight(n + "input_layernorm.weight", d),
                    dense(n + "self_attn.q_proj", d, (long) c.heads() * hd, false),
                    dense(n + "self_attn.k_proj", d, (long) c.kvHeads() * hd, false),
                    dense(n + "self_attn.v_proj", d, (long) c.kvHeads() * hd, false),
                    dense(n + "self_attn.o_proj", (long) c.heads() * hd, d, false),
                    rmsWeight(n + "post_attention_layernorm.weight", d),
                    dense(n + "mlp.gate_proj", d, c.intermediateSize(), false),
                    dense(n + "mlp.up_proj", d, c.intermediateSize(), false),
                    dense(n + "mlp.down_proj", c.intermediateSize(), d, false)));
        }
        norm = rmsWeight("model.norm.weight", d);
        lmHead = c.tieWordEmbeddings() ? null : dense("lm_head", d, c.vocabSize(), false);
        invFreq = inverseFrequencies(c);
    }

    private Parameter rmsWeight(String name, int d) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.GAMMA).optShape(new Shape(d))
                .optInitializer(new ConstantInitializer(1f)).build());
    }

    /** Loads a {@code LlamaForCausalLM} directory (single file or shards with an index) into a new decoder. */
    public static LlamaDecoder fromPretrained(Path dir, NDManager manager) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
            LlamaDecoder dec = new LlamaDecoder(LlamaConfig.fromJson(ckpt.config(), dir.resolve("config.json")));
            dec.initialize(manager, 0);
            ckpt.loadInto(dec, "", Map.of());
            return dec;
        }
    }

    /** Initialises every parameter from {@code seed}. */
    public void initialize(NDManager manager, long seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        initialize(manager, DataType.FLOAT32, new Shape(1, 1));
    }

    /** The configuration. */
    public LlamaConfig config() {
        return config;
    }

    /**
     * RoPE inverse frequencies {@code θ^(−2i/hd)}, with Llama 3's scaling: wavelengths {@code 2π/f} shorter than
     * {@code original/high_freq_factor} are kept, longer than {@code original/low_freq_factor} divided by
     * {@code factor}, and in between blended by {@code s = (original/λ − low)/(high − low)}.
     */
    static float[] inverseFrequencies(LlamaConfig c) {
        int hd = c.headDim();
        float[] f = new float[hd / 2];
        for (int i = 0; i < f.length; i++) {
            double freq = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / hd);
            LlamaConfig.RopeScaling s = c.ropeScaling();
            if (s != null) {
                double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
                double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
                double wavelen = 2 * Math.PI / freq;
                if (wavelen > lowWavelen) {
                    freq = freq / s.factor();
                } else if (wavelen >= highWavelen) {
                    double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                            / (s.highFreqFactor() - s.lowFreqFactor());
                    freq = (1 - smooth) * freq / s.factor() + smooth * freq;
                }
            }
            f[i] = (float) freq;
        }
        return f;
    }

    /** Token embeddings: ids {@code (B, T)} (any integer or float type) → {@code (B, T, d)}. */
    public NDArray embed(ParameterStore ps, NDArray ids, boolean training) {
        NDArray table = ps.getValue(embed, ids.getDevice(), training);
        Shape s = ids.getShape();
        // Autograd keeps this index until backward: a copy in PyTorch-owned memory, because a view of an array made
        // from a Java array does not keep DJL's Java-side buffer alive (see NamedBlock.scalar for the case seen).
        NDArray flat = ids.toType(DataType.INT64, false).reshape(-1).duplicate(); // (B·T)
        return table.get(flat).reshape(s.get(0), s.get(1), config.hiddenSize()); // (B, T, d)
    }

    /**
     * Logits for a batch of embeddings.
     *
     * @param x {@code (B, T, d)}: token embeddings, possibly with visual tokens spliced in
     * @param keyMask {@code (B, T)} 1 for real tokens, 0 for padding; {@code null} for none
     * @param positions {@code (B, T)} position ids; {@code null} for {@code past + 0..T−1}
     * @param cache past keys and values, extended in place; {@code null} for none
     * @return {@code (B, T, V)}
     */
    public NDArray forward(ParameterStore ps, NDArray x, NDArray keyMask, NDArray positions, KvCache cache,
            boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long past = cache == null ? 0 : cache.length();
        NDManager m = x.getManager();
        NDArray pos = positions != null ? positions.toType(DataType.FLOAT32, false)
                : m.arange(past, past + t, 1, DataType.FLOAT32).reshape(1, t).broadcast(new Shape(b, t)); // (B, T)
        NDArray[] rope = rope(pos); // cos, sin: (B, 1, T, hd)
        NDArray fullMask = keyMask;
        if (cache != null && keyMask != null) {
            fullMask = cache.mask() == null ? keyMask : cache.mask().concat(keyMask, 1); // (B, past + T)
            cache.setMask(fullMask);
        } else if (cache != null && cache.mask() != null) {
            throw new IllegalArgumentException("the cache holds a padding mask: pass the key mask of the new tokens");
        }
        // One new token without padding sees every cached position: no mask needed (saves ~10 small ops a step).
        NDArray additive = t == 1 && fullMask == null ? null : additiveMask(m, b, t, past, fullMask); // (B,1,1,T,T_all)
        NDArray h = x;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            NDArray a = attention(ps, l, i, rmsNorm(ps, h, l.inNorm(), training), rope, additive, cache, training);
            h = h.add(a);
            NDArray n = rmsNorm(ps, h, l.postNorm(), training);
            NDArray mlp = l.down().apply(ps, silu(l.gate().apply(ps, n, training)).mul(l.up().apply(ps, n, training)),
                    training);
            h = h.add(mlp);
        }
        h = rmsNorm(ps, h, norm, training);
        if (lmHead != null) {
            return lmHead.apply(ps, h, training); // (B, T, V)
        }
        return h.matMul(ps.getValue(embed, h.getDevice(), training).transpose()); // (B, T, V), tied
    }

    /** Logits for token ids: {@link #embed} then {@link #forward}. */
    public NDArray logits(ParameterStore ps, NDArray ids, NDArray keyMask, NDArray positions, KvCache cache,
            boolean training) {
        return forward(ps, embed(ps, ids, training), keyMask, positions, cache, training);
    }

    private NDArray attention(ParameterStore ps, Layer l, int index, NDArray x, NDArray[] rope, NDArray additive,
            KvCache cache, boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int hd = config.headDim();
        int kvh = config.kvHeads();
        int rep = config.heads() / kvh;
        NDArray q = l.q().apply(ps, x, training).reshape(b, t, config.heads(), hd).transpose(0, 2, 1, 3); // (B, nh, T, hd)
        NDArray k = l.k().apply(ps, x, training).reshape(b, t, kvh, hd).transpose(0, 2, 1, 3); // (B, kvh, T, hd)
        NDArray v = l.v().apply(ps, x, training).reshape(b, t, kvh, hd).transpose(0, 2, 1, 3); // (B, kvh, T, hd)
        if (rope[0].getDataType() != q.getDataType()) { // half precision: constants follow the activations
            rope = new NDArray[] {rope[0].toType(q.getDataType(), false), rope[1].toType(q.getDataType(), false)};
        }
        q = applyRope(q, rope);
        k = applyRope(k, rope);
        if (cache != null) {
            NDArray[] kv = cache.append(index, k, v);
            k = kv[0]; // (B, kvh, T_all, hd)
            v = kv[1];
        }
        long tAll = k.getShape().get(2);
        NDArray qg = q.mul(scalar(q, (float) (1.0 / Math.sqrt(hd)))).reshape(b, kvh, rep, t, hd); // (B,kvh,rep,T,hd)
        NDArray scores = qg.matMul(k.expandDims(2).transpose(0, 1, 2, 4, 3)); // (B, kvh, rep, T, T_all)
        if (additive != null) {
            scores = scores.add(additive.getDataType() == scores.getDataType() ? additive
                    : additive.toType(scores.getDataType(), false));
        }
        NDArray o = scores.softmax(-1).matMul(v.expandDims(2)) // (B, kvh, rep, T, hd)
                .reshape(b, config.heads(), t, hd) // (B, nh, T, hd)
                .transpose(0, 2, 1, 3).reshape(b, t, (long) config.heads() * hd); // (B, T, nh·hd)
        return l.o().apply(ps, o, training);
    }

    /**
     * cos and sin of {@code position · invFreq}, duplicated over both halves: {@code (B, 1, T, hd)} each. Rows come
     * from a table of every position up to {@code max_position_embeddings}, computed once on the host in double
     * precision and rounded to float.
     */
    private NDArray[] rope(NDArray positions) {
        NDManager m = positions.getManager();
        Shape s = positions.getShape();
        NDArray idx = positions.toType(DataType.INT64, false).reshape(-1); // (B·T)
        NDArray[] table = ropeTable(m, positions);
        int hd = config.headDim();
        NDArray cos = table[0].get(idx).reshape(s.get(0), 1, s.get(1), hd); // (B, 1, T, hd)
        NDArray sin = table[1].get(idx).reshape(s.get(0), 1, s.get(1), hd);
        return new NDArray[] {cos, sin};
    }

    private NDArray[] ropeTable;

    private synchronized NDArray[] ropeTable(NDManager m, NDArray positions) {
        int max = Math.max(config.maxPositions(), (int) positions.max().getFloat() + 1);
        if (ropeTable == null || ropeTable[0].getShape().get(0) < max
                || !ropeTable[0].getDevice().equals(positions.getDevice())) {
            int hd = config.headDim();
            float[] cos = new float[max * hd];
            float[] sin = new float[max * hd];
            for (int p = 0; p < max; p++) {
                for (int i = 0; i < hd / 2; i++) {
                    double angle = (double) (float) p * invFreq[i];
                    float c = (float) Math.cos((float) angle);
                    float sn = (float) Math.sin((float) angle);
                    cos[p * hd + i] = c;
                    cos[p * hd + i + hd / 2] = c;
                    sin[p * hd + i] = sn;
                    sin[p * hd + i + hd / 2] = sn;
                }
            }
            NDManager owner = getParameters().get(0).getValue().getArray().getManager();
            NDArray c = owner.create(cos, new Shape(max, hd)).toDevice(positions.getDevice(), false).duplicate();
            NDArray sn = owner.create(sin, new Shape(max, hd)).toDevice(positions.getDevice(), false).duplicate();
            NDScope.unregister(c);
            NDScope.unregister(sn);
            ropeTable = new NDArray[] {c, sn};
        }
        return ropeTable;
    }

    /** {@code x·cos + rotate_half(x)·sin} with {@code rotate_half(x) = [−x₂, x₁]}. */
    private static NDArray applyRope(NDArray x, NDArray[] rope) {
        long half = x.getShape().get(3) / 2;
        NDArray x1 = x.get(":, :, :, :{}", half);
        NDArray x2 = x.get(":, :, :, {}:", half);
        NDArray rotated = x2.neg().concat(x1, -1);
        return x.mul(rope[0]).add(rotated.mul(rope[1]));
    }

    /**
     * Causal plus padding mask as an additive tensor {@code (B, 1, 1, T, past + T)}: 0 where query {@code i} (at
     * absolute position {@code past + i}) may see key {@code j}, −1e9 elsewhere (a finite value, so a fully masked
     * padding row stays finite, as Hugging Face's {@code finfo.min} does).
     */
    private static NDArray additiveMask(NDManager m, long b, long t, long past, NDArray keyMask) {
        long all = past + t;
        NDArray qPos = m.arange(past, past + t, 1, DataType.FLOAT32).reshape(t, 1); // (T, 1)
        NDArray kPos = m.arange(0, all, 1, DataType.FLOAT32).reshape(1, all); // (1, T_all)
        NDArray allowed = kPos.lte(qPos).toType(DataType.FLOAT32, false).reshape(1, t, all); // (1, T, T_all)
        if (keyMask != null) {
            allowed = allowed.mul(keyMask.toType(DataType.FLOAT32, false).reshape(b, 1, all)); // (B, T, T_all)
        }
        return allowed.sub(1f).mul(1e9f).reshape(allowed.getShape().get(0), 1, 1, t, all);
    }

    /** RMSNorm: {@code x · rsqrt(mean(x²) + ε) · w}. */
    private NDArray rmsNorm(ParameterStore ps, NDArray x, Parameter weight, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        return x.div(x.square().mean(new int[] {-1}, true).add(config.rmsNormEps()).sqrt()).mul(w);
    }

    /** SiLU: {@code x·σ(x)}. */
    private static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** Input: ids {@code (B, T)}; output: logits {@code (B, T, V)}. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(logits(ps, inputs.get(0), inputs.size() > 1 ? inputs.get(1) : null, null, null, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[0].get(1), config.vocabSize())};
    }
}
