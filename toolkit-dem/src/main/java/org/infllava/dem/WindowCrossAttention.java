package org.infllava.dem;

import org.infllava.nn.NamedBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.infllava.crop.CropGrid;
import org.infllava.crop.GridMaps;
import org.infllava.crop.GridMaps.Layout;
import org.infllava.crop.Perspective;

/**
 * Multi-head cross-attention computed independently inside matching windows of two feature maps (the attention of
 * eq. (20)-(21) and (24)-(25)).
 *
 * <p>Shapes: query map {@code (B, H, W, d)}, key/value map {@code (B, H, W, d)} with {@code H = n_H·h},
 * {@code W = n_W·w}; output {@code (B, H, W, d)}. The windows are the {@code N = n_W·n_H} sub-features that the crop
 * module's index maps cut ({@link Perspective#LOCAL}: contiguous {@code h × w} blocks, {@code C_loc};
 * {@link Perspective#GLOBAL}: strided samples, {@code C_glo}); window {@code k} of the query map attends only to
 * window {@code k} of the key/value map.
 *
 * <p>Because the projections act token by token, they are applied once to each whole map and the windows are cut
 * from the projected maps; all windows of all images then go through one batched matmul of
 * {@code (B·N, heads, T, d_k) × (B·N, heads, d_k, T)} with {@code T = h·w}, {@code d_k = d / heads}:
 * <pre>
 *   A = softmax(Q Kᵀ / √d_k),  O = A V                      (eq. 20-21 with heads = 1: d_k = d)
 *   out = [out-proj](O) [+ residual]  [then LayerNorm when post-LN]
 * </pre>
 * Parameter names follow the published {@code MultiHeadedAttention}: {@code linears.0..3} = q, k, v, out;
 * {@code ln} = the LayerNorm.
 */
public final class WindowCrossAttention extends NamedBlock {

    /** What is added to the attention output. */
    public enum Residual {
        /** Nothing (eq. 21, 25). */
        NONE,
        /** The query map as given, before its projection (the published code). */
        RAW_QUERY,
        /** The projected query {@code Q}. */
        PROJECTED_QUERY
    }

    /** Where a LayerNorm sits. */
    public enum Norm {
        /** No normalisation (eq. 20-21). */
        NONE,
        /** LayerNorm of both inputs before the projections. */
        PRE_LN,
        /** LayerNorm of the output after the residual (the published code). */
        POST_LN
    }

    private final int channels;
    private final int heads;
    private final Residual residual;
    private final Norm norm;
    private final Dense q;
    private final Dense k;
    private final Dense v;
    private final Dense out;
    private final NamedBlock.Norm ln;
    private final long maxScoreBytes;

    private WindowCrossAttention(Builder b) {
        this.channels = b.channels;
        this.heads = b.heads;
        this.residual = b.residual;
        this.norm = b.norm;
        this.q = dense("linears.0", channels, channels, b.bias);
        this.k = dense("linears.1", channels, channels, b.bias);
        this.v = dense("linears.2", channels, channels, b.bias);
        this.out = b.outProjection ? dense("linears.3", channels, channels, b.bias) : null;
        this.ln = norm == Norm.NONE ? null : layerNorm("ln", channels);
        this.maxScoreBytes = b.maxScoreBytes;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Channels {@code d}. */
    public int channels() {
        return channels;
    }

    /** Attention heads. */
    public int heads() {
        return heads;
    }

    /**
     * Cross-attention inside matching windows.
     *
     * @param query {@code (B, H, W, d)}
     * @param keyValue {@code (B, H, W, d)}
     * @param columns {@code n_W}, windows across
     * @param rows {@code n_H}, windows down
     * @param windows how windows are cut: {@code C_loc} ({@link Perspective#LOCAL}) or {@code C_glo}
     * @return {@code (B, H, W, d)}
     */
    public NDArray attend(ParameterStore ps, NDArray query, NDArray keyValue, int columns, int rows,
            Perspective windows, boolean training) {
        CropGrid grid = windowGrid(query, keyValue, columns, rows);
        Projected p = project(ps, query, keyValue, grid, windows, training);
        long bn = p.qw().getShape().get(0);
        NDArray o = scaledDotProduct(p.qw(), p.kw(), p.vw()) // (B·N, nh, T, dk)
                .transpose(0, 2, 1, 3) // (B·N, T, nh, dk)
                .reshape(bn, grid.subHeight(), grid.subWidth(), channels); // (B·N, h, w, d)
        NDArray y = GridMaps.recombine(o, grid, windows, Layout.CHANNELS_LAST); // (B, H, W, d)
        if (out != null) {
            y = out.apply(ps, y, training);
        }
        if (residual == Residual.RAW_QUERY) {
            y = y.add(query);
        } else if (residual == Residual.PROJECTED_QUERY) {
            y = y.add(p.qp());
        }
        return norm == Norm.POST_LN ? ln.apply(ps, y, training) : y;
    }

    /**
     * {@link #attend} read only at the positions {@code (rows·i + r, columns·j + c)}, {@code (B, H/rows, W/columns,
     * d)}, computing the queries, attention, output projection, residual and norm of those positions alone (every
     * stage after the key/value projections is token-wise in the query). Keys and values are projected where the
     * sampled queries' windows need them: all of the key/value map for {@link Perspective#LOCAL} windows, only
     * window {@code (r, c)} for {@link Perspective#GLOBAL} ones. Falls back to {@link #attend} and a strided read
     * when a window's share of the samples is not a whole block.
     *
     * @param offsets {@code {r, c}}, with {@code 0 ≤ r < rows}, {@code 0 ≤ c < columns}
     */
    public NDArray attendSampled(ParameterStore ps, NDArray query, NDArray keyValue, int columns, int rows,
            Perspective windows, int[] offsets, boolean training) {
        CropGrid grid = windowGrid(query, keyValue, columns, rows);
        int h = grid.subHeight(); // sampled rows = H / rows
        int w = grid.subWidth();
        if (windows == Perspective.LOCAL && (h % rows != 0 || w % columns != 0)) {
            return sample(attend(ps, query, keyValue, columns, rows, windows, training), columns, rows, offsets);
        }
        NDArray q0 = sample(query, columns, rows, offsets); // (B, h, w, d)
        NDArray qIn = norm == Norm.PRE_LN ? ln.apply(ps, q0, training) : q0;
        NDArray qp = q.apply(ps, qIn, training); // (B, h, w, d)
        NDArray qs = qp.mul(scalar(qp, (float) (1.0 / Math.sqrt((double) channels / heads))));
        long b = q0.getShape().get(0);
        NDArray y;
        if (windows == Perspective.LOCAL) {
            // Window (a, b) is block (a, b) of the map; its sampled queries are block (a, b) of the sampled map.
            CropGrid queries = CropGrid.of(columns, rows, w / columns, h / rows);
            NDArray kvIn = norm == Norm.PRE_LN ? ln.apply(ps, keyValue, training) : keyValue;
            NDArray qw = splitHeads(GridMaps.crop(qs, queries, windows, Layout.CHANNELS_LAST)); // (B·N, nh, Tq, dk)
            NDArray kw = splitHeads(GridMaps.crop(k.apply(ps, kvIn, training), grid, windows, Layout.CHANNELS_LAST)); // (B·N, nh, T, dk)
            NDArray vw = splitHeads(GridMaps.crop(v.apply(ps, kvIn, training), grid, windows, Layout.CHANNELS_LAST)); // (B·N, nh, T, dk)
            NDArray o = scaledDotProduct(qw, kw, vw) // (B·N, nh, Tq, dk)
                    .transpose(0, 2, 1, 3) // (B·N, Tq, nh, dk)
                    .reshape(b * grid.count(), h / rows, w / columns, channels); // (B·N, h/rows, w/columns, d)
            y = GridMaps.recombine(o, queries, windows, Layout.CHANNELS_LAST); // (B, h, w, d)
        } else {
            // Every sampled query lies in the strided window (r, c), which attends the same window of the key map.
            NDArray kv0 = sample(keyValue, columns, rows, offsets); // (B, h, w, d)
            NDArray kvIn = norm == Norm.PRE_LN ? ln.apply(ps, kv0, training) : kv0;
            NDArray o = scaledDotProduct(splitHeads(qs), splitHeads(k.apply(ps, kvIn, training)),
                    splitHeads(v.apply(ps, kvIn, training))) // (B, nh, h·w, dk)
                    .transpose(0, 2, 1, 3) // (B, h·w, nh, dk)
                    .reshape(b, h, w, channels); // (B, h, w, d)
            y = o;
        }
        if (out != null) {
            y = out.apply(ps, y, training);
        }
        if (residual == Residual.RAW_QUERY) {
            y = y.add(q0);
        } else if (residual == Residual.PROJECTED_QUERY) {
            y = y.add(qp);
        }
        return norm == Norm.POST_LN ? ln.apply(ps, y, training) : y;
    }

    /** {@code map[:, r::rows, c::columns, :]}: {@code (B, H, W, d) → (B, H/rows, W/columns, d)}. */
    static NDArray sample(NDArray map, int columns, int rows, int[] offsets) {
        Shape s = map.getShape();
        return map.reshape(s.get(0), s.get(1) / rows, rows, s.get(2) / columns, columns, s.get(3)) // (B, h, nH, w, nW, d)
                .get(new NDIndex(":, :, {}, :, {}, :", offsets[0], offsets[1])); // (B, h, w, d)
    }

    /**
     * The attention weights {@code A = softmax(Q Kᵀ / √d_k)} that {@link #attend} uses, for inspection: same
     * arguments, same projections and windows (one code path), all heads at once.
     *
     * @return {@code (B·N, heads, T, T)}, {@code T = h·w}: entry {@code [b·N + k, head, t, t']} is how much query
     *     token {@code t} of window {@code k} reads key token {@code t'} of the same window, tokens numbered
     *     {@code v·w + u} inside the window as {@code windows} cuts it ({@link GridMaps#sourceIndex}); rows sum to 1
     */
    public NDArray attentionWeights(ParameterStore ps, NDArray query, NDArray keyValue, int columns, int rows,
            Perspective windows) {
        CropGrid grid = windowGrid(query, keyValue, columns, rows);
        Projected p = project(ps, query, keyValue, grid, windows, false);
        return weights(p.qw(), p.kw()); // (B·N, nh, T, T)
    }

    /** The projected query map and the windowed, head-split projections. */
    private record Projected(NDArray qp, NDArray qw, NDArray kw, NDArray vw) {}

    /** The windows' grid in tokens, after checking the maps. */
    private CropGrid windowGrid(NDArray query, NDArray keyValue, int columns, int rows) {
        Shape s = query.getShape();
        if (s.dimension() != 4 || s.get(3) != channels || !s.equals(keyValue.getShape())) {
            throw new IllegalArgumentException("expected query and key/value maps (B, H, W, " + channels + ") of one "
                    + "shape, got " + s + " and " + keyValue.getShape());
        }
        if (s.get(1) % rows != 0 || s.get(2) % columns != 0) {
            throw new IllegalArgumentException("map " + s + " does not split into a " + columns + "x" + rows
                    + " grid of windows");
        }
        return CropGrid.of(columns, rows, (int) (s.get(2) / columns), (int) (s.get(1) / rows));
    }

    /** Projections applied to the whole maps, then cut into windows and split into heads; q carries the scale. */
    private Projected project(ParameterStore ps, NDArray query, NDArray keyValue, CropGrid grid, Perspective windows,
            boolean training) {
        NDArray qIn = norm == Norm.PRE_LN ? ln.apply(ps, query, training) : query;
        NDArray kvIn = norm == Norm.PRE_LN ? ln.apply(ps, keyValue, training) : keyValue;
        NDArray qp = residual == Residual.PROJECTED_QUERY ? q.apply(ps, qIn, training) : null; // (B, H, W, d)
        NDArray[] s = scoreOperands(ps, qIn, kvIn, qp, training);
        NDArray vp = v.apply(ps, kvIn, training); // (B, H, W, d)
        NDArray qw = splitHeads(GridMaps.crop(s[0], grid, windows, Layout.CHANNELS_LAST)); // (B·N, nh, T, dk)
        NDArray kw = splitHeads(GridMaps.crop(s[1], grid, windows, Layout.CHANNELS_LAST)); // (B·N, nh, T, dk)
        NDArray vw = splitHeads(GridMaps.crop(vp, grid, windows, Layout.CHANNELS_LAST)); // (B·N, nh, T, dk)
        return new Projected(qp, qw, kw, vw);
    }

    /**
     * Whether one head without q/k biases computes its scores as {@code (X_q·G)·X_kᵀ} with {@code G = W_qᵀ·W_k}
     * ({@link #scoreOperands}); tests switch it off to compare.
     */
    static volatile boolean factoredScores = true;

    /**
     * Below this width the folded scores are not used (default 128): at small sizes every call costs more than its
     * arithmetic, and the fold trades three calls for four. Tests lower it.
     */
    static volatile int factoredScoresMinChannels = 128;

    /**
     * The two maps whose windowed products are the attention scores, {@code (B, H, W, d)} each, the first carrying
     * the scale {@code 1/√d_k}: {@code Q = X_q·W_qᵀ (+ b_q)} and {@code K = X_k·W_kᵀ (+ b_k)} in general. With one
     * head and no biases (the paper's eq. 20 and 24: {@code Q Kᵀ = X_q W_qᵀ W_k X_kᵀ}) the two projections fold
     * into one {@code d × d} matrix {@code G = W_qᵀ W_k}: the query side is {@code X_q·G} (one {@code linear} with
     * the weight {@code Gᵀ = W_kᵀ W_q}) and the key side is {@code X_k} itself — one map projection instead of two,
     * for {@code 2d³} FLOPs to form {@code G} (used when the maps hold at least {@code 2d} tokens and {@code d} is at
     * least {@link #factoredScoresMinChannels}). Same scores up to float rounding; gradients
     * reach {@code W_q} and {@code W_k} through {@code G}.
     *
     * @param qp the projected query when the caller needs it anyway, else {@code null}
     */
    private NDArray[] scoreOperands(ParameterStore ps, NDArray qIn, NDArray kvIn, NDArray qp, boolean training) {
        float scale = (float) (1.0 / Math.sqrt((double) channels / heads));
        Shape s = qIn.getShape();
        long tokens = s.size() / channels;
        if (factoredScores && heads == 1 && q.bias() == null && k.bias() == null && qp == null
                && channels >= factoredScoresMinChannels && tokens >= 2L * channels) {
            NDArray wq = ps.getValue(q.weight(), qIn.getDevice(), training); // (d, d)
            NDArray wk = ps.getValue(k.weight(), qIn.getDevice(), training); // (d, d)
            NDArray g = wk.transpose().matMul(wq); // (d, d): linear(x, g) = x·W_qᵀ·W_k
            return new NDArray[] {linear(qIn, g.mul(scalar(g, scale)), null), kvIn}; // (B, H, W, d) each
        }
        NDArray qq = qp != null ? qp : q.apply(ps, qIn, training); // (B, H, W, d)
        return new NDArray[] {qq.mul(scalar(qq, scale)), k.apply(ps, kvIn, training)};
    }

    /**
     * Whether {@link #attendPooled} applies: one head (the values' projection is then one matrix after the attention
     * average) and no post-LayerNorm (everything after the softmax is affine in the values).
     */
    public boolean poolsBeforeValues() {
        return heads == 1 && norm != Norm.POST_LN;
    }

    /**
     * {@code pooling.pool(attend(...))}, computed in a cheaper order: with one head,
     * {@code A·(X W_vᵀ + b_v) = (A·X)·W_vᵀ + b_v} (attention rows sum to 1), and an averaging pooling commutes with
     * every affine token-wise map after it, so the windows attend over the raw key/value map, the result is pooled to
     * {@code (B, H/rows, W/columns, d)}, and only then do the value projection, output projection and residual run —
     * on 1/(rows·columns) of the tokens. Same result up to float rounding, same gradients.
     *
     * @throws IllegalStateException when {@link #poolsBeforeValues} is false or the pooling is not averaging
     */
    public NDArray attendPooled(ParameterStore ps, NDArray query, NDArray keyValue, int columns, int rows,
            Perspective windows, Pooling pooling, boolean training) {
        if (!poolsBeforeValues() || !pooling.averaging() || pooling.keepsResolution()) {
            throw new IllegalStateException("attendPooled needs one head, no post-LN and an averaging pooling; got heads="
                    + heads + " norm=" + norm + " pooling=" + pooling.name());
        }
        CropGrid grid = windowGrid(query, keyValue, columns, rows);
        NDArray qIn = norm == Norm.PRE_LN ? ln.apply(ps, query, training) : query;
        NDArray kvIn = norm == Norm.PRE_LN ? ln.apply(ps, keyValue, training) : keyValue;
        NDArray qp = residual == Residual.PROJECTED_QUERY ? q.apply(ps, qIn, training) : null; // (B, H, W, d)
        NDArray[] s = scoreOperands(ps, qIn, kvIn, qp, training);
        NDArray qw = splitHeads(GridMaps.crop(s[0], grid, windows, Layout.CHANNELS_LAST)); // (B·N, 1, T, d)
        NDArray kw = splitHeads(GridMaps.crop(s[1], grid, windows, Layout.CHANNELS_LAST)); // (B·N, 1, T, d)
        NDArray xw = splitHeads(GridMaps.crop(kvIn, grid, windows, Layout.CHANNELS_LAST)); // (B·N, 1, T, d)
        long bn = qw.getShape().get(0);
        NDArray ax = scaledDotProduct(qw, kw, xw) // (B·N, 1, T, d): A·X
                .reshape(bn, grid.subHeight(), grid.subWidth(), channels); // (B·N, h, w, d)
        NDArray y = pooling.pool(GridMaps.recombine(ax, grid, windows, Layout.CHANNELS_LAST), columns, rows); // (B, H/rows, W/columns, d)
        y = v.apply(ps, y, training);
        if (out != null) {
            y = out.apply(ps, y, training);
        }
        if (residual == Residual.RAW_QUERY) {
            y = y.add(pooling.pool(query, columns, rows));
        } else if (residual == Residual.PROJECTED_QUERY) {
            y = y.add(pooling.pool(qp, columns, rows));
        }
        return y;
    }

    /**
     * {@code softmax(Q Kᵀ) V} for all windows at once, heads taken in groups whose score tensor
     * {@code (B·N, group, T, T)} stays within {@code maxScoreBytes}: large fresh allocations cost page faults that
     * dominate the time (measured: 8 heads at once 520 ms, groups of 1-2 heads 130 ms at the real size). The
     * scores of each group are freed at once, so in inference the group also bounds the attention memory.
     */
    private NDArray scaledDotProduct(NDArray qw, NDArray kw, NDArray vw) {
        Shape s = qw.getShape(); // (B·N, nh, T, dk)
        long perHead = s.get(0) * s.get(2) * s.get(2) * 4;
        int group = (int) Math.max(1, Math.min(heads, maxScoreBytes / Math.max(1, perHead)));
        if (group >= heads) {
            return attention(qw, kw, vw); // (B·N, nh, T, dk)
        }
        NDList parts = new NDList();
        for (int h0 = 0; h0 < heads; h0 += group) {
            NDIndex heads = new NDIndex(":, {}:{}", h0, Math.min(this.heads, h0 + group));
            parts.add(attention(qw.get(heads), kw.get(heads), vw.get(heads))); // (B·N, g, T, dk)
        }
        return NDArrays.concat(parts, 1); // (B·N, nh, T, dk)
    }

    /**
     * {@code softmax(q kᵀ) v}. The score tensors' Java handles are closed at once: their memory goes back now in
     * inference, while in training autograd keeps its own references to what backward needs.
     */
    private static NDArray attention(NDArray q, NDArray k, NDArray v) {
        NDArray attn = weights(q, k); // (B·N, g, T, T)
        NDArray out = attn.matMul(v); // (B·N, g, T, dk)
        attn.close();
        return out;
    }

    /** {@code softmax(q kᵀ)} over the last axis, q already scaled: {@code (B·N, g, T, T)}. */
    private static NDArray weights(NDArray q, NDArray k) {
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // (B·N, g, T, T)
        NDArray attn = scores.softmax(-1); // (B·N, g, T, T)
        scores.close();
        return attn;
    }

    /** {@code (B·N, h, w, d) → (B·N, heads, h·w, d/heads)}. */
    private NDArray splitHeads(NDArray x) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1) * s.get(2), heads, channels / heads) // (B·N, T, nh, dk)
                .transpose(0, 2, 1, 3); // (B·N, nh, T, dk)
    }

    /** Inputs: query map, key/value map; the windows are one contiguous block ({@code 1×1} grid, full attention). */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(attend(ps, inputs.get(0), inputs.get(1), 1, 1, Perspective.LOCAL, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /** Builder: {@code setChannels} is required. */
    public static final class Builder {
        private int channels;
        private int heads = 1;
        private boolean outProjection;
        private Residual residual = Residual.NONE;
        private Norm norm = Norm.NONE;
        private boolean bias;
        private long maxScoreBytes = 32L << 20;

        private Builder() {}

        /** Channels {@code d}. Required. */
        public Builder setChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /** Heads; default 1 (eq. 20: scale {@code 1/√d}). */
        public Builder optHeads(int heads) {
            this.heads = heads;
            return this;
        }

        /** Output projection {@code linears.3}; default off (eq. 21). */
        public Builder optOutProjection(boolean outProjection) {
            this.outProjection = outProjection;
            return this;
        }

        /** Residual; default {@link Residual#NONE}. */
        public Builder optResidual(Residual residual) {
            this.residual = residual;
            return this;
        }

        /** Normalisation; default {@link Norm#NONE}. */
        public Builder optNorm(Norm norm) {
            this.norm = norm;
            return this;
        }

        /** Biases on the projections; default off (the equations have none). */
        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /**
         * Memory budget of one attention-score tensor; heads are processed in groups that fit it (at least one head
         * at a time). Default 32 MiB. Results do not depend on it.
         */
        public Builder optMaxScoreBytes(long maxScoreBytes) {
            this.maxScoreBytes = maxScoreBytes;
            return this;
        }

        /** Validates: {@code channels > 0}, {@code heads > 0}, {@code channels % heads == 0}. */
        public WindowCrossAttention build() {
            if (channels < 1) {
                throw new IllegalArgumentException("setChannels is required and must be positive, got " + channels);
            }
            if (heads < 1 || channels % heads != 0) {
                throw new IllegalArgumentException("channels must divide into heads: channels=" + channels + " heads="
                        + heads);
            }
            if (maxScoreBytes < 1) {
                throw new IllegalArgumentException("maxScoreBytes must be positive, got " + maxScoreBytes);
            }
            if (residual == null || norm == null) {
                throw new IllegalArgumentException("residual and norm must not be null");
            }
            return new WindowCrossAttention(this);
        }
    }
}
