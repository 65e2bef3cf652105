package org.infllava.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
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
 * A decoder-only LLM with Hugging Face {@code LlamaForCausalLM}, {@code MistralForCausalLM} and
 * {@code Qwen2ForCausalLM} semantics and key names ({@link LlamaConfig.Family}): RMSNorm, grouped-query attention
 * with RoPE ({@code rope_theta}, optional {@code llama3} scaling) and Qwen2's q/k/v biases, causal plus padding mask
 * narrowed to Mistral's sliding window when one is set, SwiGLU MLP, final norm, {@code lm_head} or tied embeddings,
 * and a {@link KvCache} (which keeps every position; the window is applied by the mask, so decoding past it is exact).
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
                    dense(n + "self_attn.q_proj", d, (long) c.heads() * hd, c.attentionBias()),
                    dense(n + "self_attn.k_proj", d, (long) c.kvHeads() * hd, c.attentionBias()),
                    dense(n + "self_attn.v_proj", d, (long) c.kvHeads() * hd, c.attentionBias()),
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

    /**
     * Loads a {@code LlamaForCausalLM}, {@code MistralForCausalLM} or {@code Qwen2ForCausalLM} directory (single file
     * or shards with an index) into a new decoder; the family comes from {@code config.json}
     * ({@link LlamaConfig#fromJson}).
     */
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
        return forward(ps, x, keyMask, positions, cache, training, 0);
    }

    /**
     * {@link #forward} returning the logits of positions {@code from..T−1} only, {@code (B, T − from, V)}: the last
     * layer computes its queries, MLP, norm and head for those positions alone (every position still gives keys and
     * values), so training that needs no prediction before {@code from} — a visual prefix, which carries no labels —
     * skips that part of the last layer's work. The values equal the slice of the full output up to float rounding,
     * and so do the gradients.
     *
     * @param from first position whose logits are needed, {@code 0 <= from < T}; only without a cache
     */
    public NDArray forward(ParameterStore ps, NDArray x, NDArray keyMask, NDArray positions, KvCache cache,
            boolean training, long from) {
        Shape s = x.getShape();
        if (from < 0 || from >= s.get(1) || (from > 0 && cache != null)) {
            throw new IllegalArgumentException("from must lie in [0, " + s.get(1) + ") and be 0 with a cache, got "
                    + from);
        }
        long b = s.get(0);
        long t = s.get(1);
        long past = cache == null ? 0 : cache.length();
        try (IntraOpThreads threads = IntraOpThreads.forFlops(flops(b, t, past + t))) {
            NDManager m = x.getManager();
            // cos, sin (B|1, 1, T, hd), the rotation (hd, hd) and the attention scale ()
            NDArray[] rope = positions != null ? rope(positions) : rope(m, b, past, t);
            NDArray fullMask = keyMask;
            if (cache != null && keyMask != null) {
                fullMask = cache.mask() == null ? keyMask : cache.mask().concat(keyMask, 1); // (B, past + T)
                cache.setMask(fullMask);
            } else if (cache != null && cache.mask() != null) {
                throw new IllegalArgumentException("the cache holds a padding mask: pass the key mask of the new tokens");
            }
            // One new token without padding sees every cached position, unless a sliding window hides the oldest.
            int window = config.slidingWindow() > 0 && past + t > config.slidingWindow() ? config.slidingWindow() : 0;
            NDArray additive = t == 1 && fullMask == null && window == 0 ? null
                    : additiveMask(m, b, t, past, fullMask, window); // (B|1, 1, 1, T, T_all)
            NDArray eps = constants(x.getDevice(), 0).eps(); // RMSNorm's ε, fetched once per forward
            NDArray h = x;
            for (int i = 0; i < layers.size(); i++) {
                Layer l = layers.get(i);
                long q0 = i == layers.size() - 1 ? from : 0; // the last layer: only the positions whose logits count
                NDArray a = attention(ps, l, i, rmsNorm(ps, h, l.inNorm(), eps, training), rope, additive, cache,
                        training, q0); // (B, T − q0, d)
                h = (q0 == 0 ? h : slice(h, new NDIndex(":, {}:, :", q0))).add(a); // (B, T − q0, d)
                h = h.add(mlp(ps, l, rmsNorm(ps, h, l.postNorm(), eps, training), training));
            }
            h = rmsNorm(ps, h, norm, eps, training);
            if (lmHead != null) {
                return lmHead.apply(ps, h, training); // (B, T, V)
            }
            return linear(h, ps.getValue(embed, h.getDevice(), training), null); // (B, T, V), tied
        }
    }

    /** Floating-point operations of a forward pass over {@code t} new tokens attending to {@code all} positions. */
    private long flops(long b, long t, long all) {
        LlamaConfig c = config;
        long hd = c.headDim();
        long perLayer = (long) c.hiddenSize() * (c.heads() + 2L * c.kvHeads()) * hd // q, k, v
                + (long) c.heads() * hd * c.hiddenSize() // o
                + 3L * c.hiddenSize() * c.intermediateSize() // gate, up, down
                + 2L * c.heads() * hd * all; // scores and weighted values
        return 2 * b * t * (c.layers() * perLayer + (long) c.hiddenSize() * c.vocabSize());
    }

    /** SwiGLU: {@code down(silu(gate(x)) · up(x))}. */
    private static NDArray mlp(ParameterStore ps, Layer l, NDArray x, boolean training) {
        return l.down().apply(ps, silu(l.gate().apply(ps, x, training)).mul(l.up().apply(ps, x, training)), training);
    }

    /** Logits for token ids: {@link #embed} then {@link #forward}. */
    public NDArray logits(ParameterStore ps, NDArray ids, NDArray keyMask, NDArray positions, KvCache cache,
            boolean training) {
        return forward(ps, embed(ps, ids, training), keyMask, positions, cache, training);
    }

    /**
     * Below this many weight elements (2¹⁶ by default) the q, k and v weights are concatenated for one matmul on
     * every call (copying them costs less than the calls it saves); larger models project separately and
     * concatenate the outputs. Both ways give the same values; tests lower it to compare them.
     */
    static volatile long fuseWeightsMax = 1L << 16;

    private NDArray attention(ParameterStore ps, Layer l, int index, NDArray x, NDArray[] rope, NDArray additive,
            KvCache cache, boolean training, long from) {
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int hd = config.headDim();
        int nh = config.heads();
        int kvh = config.kvHeads();
        int rep = nh / kvh;
        NDArray qkv = qkv(ps, l, x, training) // (B, T, (nh + 2·kvh)·hd)
                .reshape(b, t, nh + 2L * kvh, hd).transpose(0, 2, 1, 3); // (B, nh + 2·kvh, T, hd)
        if (rope[0].getDataType() != qkv.getDataType()) { // half precision: constants follow the activations
            DataType dt = qkv.getDataType();
            rope = new NDArray[] {rope[0].toType(dt, false), rope[1].toType(dt, false), rope[2].toType(dt, false),
                rope[3]};
        }
        NDList qkAndV = qkv.split(new long[] {nh + kvh}, 1); // (B, nh + kvh, T, hd), (B, kvh, T, hd)
        NDList qAndK = applyRope(qkAndV.get(0), rope).split(new long[] {nh}, 1); // q and k rotated at once
        NDArray q = qAndK.get(0); // (B, nh, T, hd)
        NDArray k = qAndK.get(1); // (B, kvh, T, hd)
        NDArray v = qkAndV.get(1); // (B, kvh, T, hd)
        if (cache != null) {
            NDArray[] kv = cache.append(index, k, v);
            k = kv[0]; // (B, kvh, T_all, hd)
            v = kv[1];
        }
        long all = k.getShape().get(2);
        if (from > 0) { // queries of positions from..T−1 only (keys and values of every position)
            q = slice(q, new NDIndex(":, :, {}:, :", from)); // (B, nh, T − from, hd)
            additive = additive == null ? null
                    : slice(additive, new NDIndex(":, :, :, {}:, :", from)); // (B|1, 1, 1, T − from, T_all)
            t -= from;
        }
        // Grouped-query attention as repeat_kv does it (head h reads KV head h / rep), without repeating K and V:
        // the rep query heads of one KV head are stacked along the rows of one matmul.
        NDArray qg = q.mul(rope[3]).reshape(b, kvh, rep * t, hd); // (B, kvh, rep·T, hd)
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)); // (B, kvh, rep·T, T_all)
        if (additive != null) {
            NDArray mask = additive.getDataType() == scores.getDataType() ? additive
                    : additive.toType(scores.getDataType(), false);
            // not in place: under autograd an in-place change of a view makes the backward copy the whole gradient
            // of its base (measured: 2.4 against 1.7-2.0 s for a ceiling-sized step)
            scores = scores.reshape(b, kvh, rep, t, all).add(mask) // (B, kvh, rep, T, T_all)
                    .reshape(b, kvh, rep * t, all); // (B, kvh, rep·T, T_all)
        }
        NDArray o = scores.softmax(-1).matMul(v) // (B, kvh, rep·T, hd)
                .reshape(b, nh, t, hd) // (B, nh, T, hd)
                .transpose(0, 2, 1, 3).reshape(b, t, (long) nh * hd); // (B, T, nh·hd)
        return l.o().apply(ps, o, training);
    }

    /**
     * q, k and v projections side by side, {@code (B, T, (nh + 2·kvh)·hd)}: one matmul over the concatenated
     * weights when they are small ({@link #fuseWeightsMax}), else three. The weights stay three parameters with
     * their Hugging Face names (checkpoints, optimiser state and freeze patterns see them as before); the
     * concatenation is part of the graph, so each gets its own gradient. A projection with a LoRA adapter
     * ({@link NamedBlock#setAdapter}) makes all three go through {@link NamedBlock.Dense#apply}.
     */
    private NDArray qkv(ParameterStore ps, Layer l, NDArray x, boolean training) {
        if (adapter(l.q().weight()) != null || adapter(l.k().weight()) != null || adapter(l.v().weight()) != null) {
            // LoRA adapters extend each projection separately: (B, T, (nh + 2·kvh)·hd)
            return NDArrays.concat(new NDList(l.q().apply(ps, x, training), l.k().apply(ps, x, training),
                    l.v().apply(ps, x, training)), -1);
        }
        NDArray wq = ps.getValue(l.q().weight(), x.getDevice(), training);
        NDArray wk = ps.getValue(l.k().weight(), x.getDevice(), training);
        NDArray wv = ps.getValue(l.v().weight(), x.getDevice(), training);
        boolean bias = config.attentionBias(); // Qwen2
        NDArray bq = bias ? ps.getValue(l.q().bias(), x.getDevice(), training) : null;
        NDArray bk = bias ? ps.getValue(l.k().bias(), x.getDevice(), training) : null;
        NDArray bv = bias ? ps.getValue(l.v().bias(), x.getDevice(), training) : null;
        if (wq.size() + wk.size() + wv.size() <= fuseWeightsMax) {
            return linear(x, NDArrays.concat(new NDList(wq, wk, wv), 0),
                    bias ? NDArrays.concat(new NDList(bq, bk, bv), 0) : null); // (B, T, (nh + 2·kvh)·hd)
        }
        return NDArrays.concat(new NDList(linear(x, wq, bq), linear(x, wk, bk), linear(x, wv, bv)), -1);
    }

    /**
     * cos and sin of {@code position · invFreq} for explicit positions, duplicated over both halves:
     * {@code (B, 1, T, hd)} each, rows gathered from {@link #constants}'s table.
     */
    private NDArray[] rope(NDArray positions) {
        Shape s = positions.getShape();
        NDArray idx = positions.toType(DataType.INT64, false).reshape(-1); // (B·T)
        Constants c = constants(positions.getDevice(), (int) positions.max().getFloat() + 1);
        int hd = config.headDim();
        NDArray cos = c.cos.get(idx).reshape(s.get(0), 1, s.get(1), hd); // (B, 1, T, hd)
        NDArray sin = c.sin.get(idx).reshape(s.get(0), 1, s.get(1), hd);
        return new NDArray[] {cos, sin, c.rotate, c.scale};
    }

    /** cos and sin for positions {@code past..past+T−1} of every row: a slice of the table, {@code (1, 1, T, hd)}. */
    private NDArray[] rope(NDManager m, long b, long past, long t) {
        Constants c = constants(m.getDevice(), (int) (past + t));
        NDIndex rows = new NDIndex().addSliceDim(past, past + t);
        int hd = config.headDim();
        return new NDArray[] {slice(c.cos, rows).reshape(1, 1, t, hd), slice(c.sin, rows).reshape(1, 1, t, hd), // (1, 1, T, hd)
            c.rotate, c.scale};
    }

    /**
     * Per-device constants, made once on the host and kept outside any scope: the RoPE table (every position up to
     * {@code max_position_embeddings}, computed in double precision and rounded to float, cos and sin duplicated
     * over both halves: {@code (P, hd)}), the signed permutation {@code R} with {@code x·R = rotate_half(x)}
     * {@code (hd, hd)}, the attention scale {@code 1/√hd} and RMSNorm's epsilon as 0-d tensors (the epsilon as a
     * Java number was a new tensor copied from a Java buffer at each of the 2L + 1 norms of every step).
     */
    private record Constants(NDArray cos, NDArray sin, NDArray rotate, NDArray scale, NDArray eps) {}

    /**
     * One set per device (data-parallel replicas on several devices share this block), fetched under the lock once
     * per forward and handed down it (records of final fields). A set is replaced when a longer table is needed; the
     * replaced one is not closed, since another thread's forward may still be reading it: it is freed with the
     * model's manager (a table grows only past {@code max_position_embeddings}, so this is rare).
     */
    private final java.util.Map<Device, Constants> constants = new java.util.HashMap<>();

    private synchronized Constants constants(Device device, int positionsNeeded) {
        Constants held = constants.get(device);
        int rows = held == null ? 0 : (int) held.cos.getShape().get(0);
        if (held == null || rows < positionsNeeded) {
            // Past max_position_embeddings the table doubles, so a long generation rebuilds it O(log n) times.
            int max = positionsNeeded <= config.maxPositions() ? config.maxPositions()
                    : (int) Math.min(Integer.MAX_VALUE / 2, Math.max(positionsNeeded, 2L * rows));
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
            // rotate_half(x) = [−x₂, x₁]: column j < hd/2 takes −x[j + hd/2], column j ≥ hd/2 takes x[j − hd/2].
            float[] rot = new float[hd * hd];
            for (int j = 0; j < hd / 2; j++) {
                rot[(j + hd / 2) * hd + j] = -1f;
                rot[j * hd + j + hd / 2] = 1f;
            }
            NDManager owner = getParameters().get(0).getValue().getArray().getManager();
            held = new Constants(kept(owner.create(cos, new Shape(max, hd)), device),
                    kept(owner.create(sin, new Shape(max, hd)), device), kept(owner.create(rot, new Shape(hd, hd)), device),
                    kept(owner.create((float) (1.0 / Math.sqrt(hd))), device),
                    kept(owner.create(config.rmsNormEps()), device));
            constants.put(device, held);
        }
        return held;
    }

    /** A copy on {@code device} in PyTorch-owned memory, outside every scope. */
    private static NDArray kept(NDArray host, Device device) {
        NDArray a = host.toDevice(device, false).duplicate();
        NDScope.unregister(a);
        host.close();
        return a;
    }

    /**
     * {@code x·cos + rotate_half(x)·sin} with {@code rotate_half(x) = [−x₂, x₁]}, the rotation as one matmul with
     * a signed permutation (exact: one ±1 term per output).
     */
    private NDArray applyRope(NDArray x, NDArray[] rope) {
        return x.mul(rope[0]).add(x.matMul(rope[2]).mul(rope[1]));
    }

    /** Masks up to this many entries are written on the host and sent in one call; tests lower it. */
    static volatile long hostMaskMax = 1L << 20;

    /**
     * Causal plus padding mask as an additive tensor {@code (B, 1, 1, T, past + T)} ({@code B} = 1 without a
     * key mask): 0 where query {@code i} (at absolute position {@code p = past + i}) may see key {@code j}, i.e.
     * {@code j ≤ p} and, with a sliding window {@code w > 0}, {@code p − w < j} (Mistral); −1e9 elsewhere (a finite
     * value, so a fully masked padding row stays finite, as Hugging Face's {@code finfo.min} does).
     */
    private static NDArray additiveMask(NDManager m, long b, long t, long past, NDArray keyMask, int window) {
        long all = past + t;
        NDArray causal = null;
        if (t * all > hostMaskMax) { // large: compare positions on the device
            NDArray qPos = m.arange(past, past + t, 1, DataType.FLOAT32).reshape(t, 1); // (T, 1)
            NDArray kPos = m.arange(0, all, 1, DataType.FLOAT32).reshape(1, all); // (1, T_all)
            NDArray seen = kPos.lte(qPos);
            if (window > 0) {
                seen = seen.logicalAnd(kPos.gt(qPos.sub(window))); // (T, T_all)
            }
            causal = seen.toType(DataType.FLOAT32, false).sub(1f).mul(1e9f).reshape(1, 1, 1, t, all);
        } else if (t > 1 || keyMask == null || window > 0) { // else one new token sees every position: no causal part
            float[] c = new float[(int) (t * all)];
            for (int i = 0; i < t; i++) {
                java.util.Arrays.fill(c, (int) (i * all + past + i + 1), (int) ((i + 1) * all), -1e9f);
                long firstSeen = window > 0 ? Math.max(0, past + i - window + 1) : 0;
                java.util.Arrays.fill(c, (int) (i * all), (int) (i * all + firstSeen), -1e9f);
            }
            causal = m.create(c, new Shape(1, 1, 1, t, all)); // (1, 1, 1, T, T_all)
        }
        if (keyMask == null) {
            return causal;
        }
        NDArray keys = keyMask.toType(DataType.FLOAT32, false).sub(1f).mul(1e9f).reshape(b, 1, 1, 1, all); // (B,1,1,1,T_all)
        return causal == null ? keys : keys.minimum(causal); // (B, 1, 1, T, T_all): −1e9 where either forbids
    }

    /** RMSNorm: {@code x · rsqrt(mean(x²) + ε) · w}; {@code eps} is ε as a float32 0-d tensor ({@link Constants}). */
    private NDArray rmsNorm(ParameterStore ps, NDArray x, Parameter weight, NDArray eps, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        return x.div(x.square().mean(new int[] {-1}, true).add(eps).sqrt()).mul(w);
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
