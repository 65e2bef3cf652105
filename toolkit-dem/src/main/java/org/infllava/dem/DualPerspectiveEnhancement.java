package org.infllava.dem;

import org.infllava.nn.NamedBlock;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.infllava.crop.CropGrid;
import org.infllava.crop.GridMaps;
import org.infllava.crop.GridMaps.Layout;
import org.infllava.crop.Perspective;

/**
 * The Dual-perspective Enhancement Module (§4.3) followed by pooling (eq. 7) and the low-resolution combine (§5.5).
 *
 * <pre>
 *   F^loc, F^glo (B, n_H·h, n_W·w, d)          recombined sub-features, eq. (5)-(6)
 *     V^glo = GPE(F^loc, F^glo)                 eq. (18)-(21)   (B, H, W, d)
 *     V^loc = LPE(F^loc, F^glo)                 eq. (22)-(25)   (B, H, W, d)
 *     V^dual = fusion(V^glo, V^loc)             eq. (26)-(27)   (B, H, W, d)   [variant decides]
 *     F^dual = pool(V^dual)                     eq. (7)         (B, h, w, d)
 *     out = combine(F^dual, F^low)              §5.5            (B, h, w, d)
 * </pre>
 * As a DJL block: inputs {@code (F^loc, F^glo[, F^low])}, output {@code (out)}. Parameter names (without the
 * {@code spatial_embed.} prefix of checkpoints): {@code attention.*} when shared, else {@code attention_global.*} and
 * {@code attention_local.*}; fusion parameters at top level ({@code ffn_crop.0.weight}, {@code fuse_global.weight},
 * ...).
 */
public final class DualPerspectiveEnhancement extends NamedBlock {

    private final DemConfig config;
    private final GlobalPerspectiveEnhancement globalEnhancement;
    private final LocalPerspectiveEnhancement localEnhancement;
    private final FusionBlock fusion;

    private DualPerspectiveEnhancement(DemConfig c) {
        this.config = c;
        DemVariant v = c.variant();
        WindowCrossAttention shared = null;
        WindowCrossAttention forGlobal = null;
        WindowCrossAttention forLocal = null;
        if (v.usesGlobalEnhancement() || v.usesLocalEnhancement()) {
            if (c.sharedAttention()) {
                shared = addChildBlock("attention", attention(c));
                forGlobal = shared;
                forLocal = shared;
            } else {
                forGlobal = v.usesGlobalEnhancement() ? addChildBlock("attention_global", attention(c)) : null;
                forLocal = v.usesLocalEnhancement() ? addChildBlock("attention_local", attention(c)) : null;
            }
        }
        this.globalEnhancement = forGlobal == null ? null : new GlobalPerspectiveEnhancement(forGlobal, c.pairing());
        this.localEnhancement = forLocal == null ? null : new LocalPerspectiveEnhancement(forLocal, c.pairing());
        this.fusion = v.usesFusion() ? addChildBlock("", c.fusion().create(c.channels())) : null;
    }

    private static WindowCrossAttention attention(DemConfig c) {
        return WindowCrossAttention.builder().setChannels(c.channels()).optHeads(c.heads())
                .optOutProjection(c.outProjection()).optResidual(c.residual()).optNorm(c.norm()).optBias(c.bias())
                .build();
    }

    /** A builder whose defaults are the paper's equations (see {@link Builder}). */
    public static Builder builder() {
        return new Builder();
    }

    /** The configuration. */
    public DemConfig config() {
        return config;
    }

    /**
     * The map before pooling: {@code (B, H, W, d)} from the recombined local and global maps, as the variant wires it.
     */
    public NDArray enhance(ParameterStore ps, NDArray local, NDArray global, boolean training) {
        return enhance(ps, local, global, config.columns(), config.rows(), training);
    }

    /**
     * {@link #enhance(ParameterStore, NDArray, NDArray, boolean)} for a {@code cols × rows} grid other than the
     * configured one (an automatic DCM grid): no parameter depends on the grid, only the windows and the pooling do.
     */
    public NDArray enhance(ParameterStore ps, NDArray local, NDArray global, int cols, int rows, boolean training) {
        checkMaps(local, global, cols, rows);
        DemVariant.Parts parts = new DemVariant.Parts() {
            @Override
            public NDArray globalEnhanced() {
                return globalEnhancement.globalPerspectiveEnhancement(ps, local, global, cols, rows, training);
            }

            @Override
            public NDArray localEnhanced() {
                return localEnhancement.localPerspectiveEnhancement(ps, local, global, cols, rows, training);
            }

            @Override
            public NDArray fuse(NDArray globalEnhanced, NDArray localEnhanced) {
                return fusion.fuse(ps, globalEnhanced, localEnhanced, training);
            }
        };
        return config.variant().combine(parts, local, global);
    }

    /**
     * Whether {@link #forward} computes only the positions a point-sampling pooling reads (see
     * {@link Pooling#pointSampleOffsets}); the result is the same either way. Tests switch it off to compare.
     */
    static volatile boolean sampledPooling = true;

    /**
     * {@link #enhance} followed by a point-sampling pooling, computed at the sampled positions only: the REFERENCE
     * preset's bilinear resize by an odd factor reads one position per output cell, and every stage after the
     * key/value projections (queries, attention rows, output projection, residual, norms, the bottleneck fusion) is
     * token-wise, so the other positions never need computing (at 72×72 → 24×24, 1/9 of the queries; in the
     * local-as-query direction only the strided window the samples fall in).
     */
    private NDArray enhanceSampled(ParameterStore ps, NDArray local, NDArray global, int cols, int rows,
            int[] offsets, boolean training) {
        checkMaps(local, global, cols, rows);
        DemVariant.Parts parts = new DemVariant.Parts() {
            @Override
            public NDArray globalEnhanced() {
                return globalEnhancement.globalPerspectiveEnhancementSampled(ps, local, global, cols, rows, offsets,
                        training);
            }

            @Override
            public NDArray localEnhanced() {
                return localEnhancement.localPerspectiveEnhancementSampled(ps, local, global, cols, rows, offsets,
                        training);
            }

            @Override
            public NDArray fuse(NDArray globalEnhanced, NDArray localEnhanced) {
                return fusion.fuse(ps, globalEnhanced, localEnhanced, training);
            }
        };
        return config.variant().combine(parts, WindowCrossAttention.sample(local, cols, rows, offsets),
                WindowCrossAttention.sample(global, cols, rows, offsets)); // (B, H/rows, W/columns, d)
    }

    /**
     * Whether {@link #forward} pools before the value side when the whole chain after the softmax is affine and the
     * pooling averages (see {@link #enhancePooled}); the result is the same either way. Tests switch it off to compare.
     */
    static volatile boolean pooledValues = true;

    /** Whether {@link #enhancePooled} computes this module's {@link #enhance} followed by its pooling. */
    boolean poolsBeforeValues() {
        DemVariant v = config.variant();
        return pooledValues && config.pooling().averaging() && !config.pooling().keepsResolution() && v.linear()
                && (!v.usesFusion() || fusion.linear())
                && (globalEnhancement == null || globalEnhancement.attention().poolsBeforeValues())
                && (localEnhancement == null || localEnhancement.attention().poolsBeforeValues());
    }

    /**
     * {@link #enhance} followed by an averaging pooling, computed in the cheaper order: with one head and nothing
     * but affine maps after the softmax (the paper's preset: eq. 21 and 25 without output projection, the
     * Linear-Concat fusion of eq. 26-27, average pooling of eq. 7), pooling commutes with the value projections and
     * the fusion, so both run on the pooled {@code (B, H/rows, W/columns, d)} maps — 1/(rows·columns) of the tokens
     * ({@link WindowCrossAttention#attendPooled}).
     */
    private NDArray enhancePooled(ParameterStore ps, NDArray local, NDArray global, int cols, int rows,
            boolean training) {
        checkMaps(local, global, cols, rows);
        Pooling pooling = config.pooling();
        DemVariant.Parts parts = new DemVariant.Parts() {
            @Override
            public NDArray globalEnhanced() {
                return globalEnhancement.globalPerspectiveEnhancementPooled(ps, local, global, cols, rows, pooling,
                        training);
            }

            @Override
            public NDArray localEnhanced() {
                return localEnhancement.localPerspectiveEnhancementPooled(ps, local, global, cols, rows, pooling,
                        training);
            }

            @Override
            public NDArray fuse(NDArray globalEnhanced, NDArray localEnhanced) {
                return fusion.fuse(ps, globalEnhanced, localEnhanced, training);
            }
        };
        DemVariant v = config.variant();
        if (v.usesGlobalEnhancement() || v.usesLocalEnhancement()) {
            return v.combine(parts, null, null); // (B, H/rows, W/columns, d): see DemVariant#linear
        }
        return v.combine(parts, pooling.pool(local, cols, rows), pooling.pool(global, cols, rows)); // (B, H/rows, W/columns, d)
    }

    /**
     * The attention weights of one direction, for inspection: {@code query = GLOBAL} gives the global-perspective
     * enhancement's (global map as query, eq. 20), {@code LOCAL} the local-perspective enhancement's (eq. 24).
     *
     * @param local {@code F^loc (B, H, W, d)}
     * @param global {@code F^glo (B, H, W, d)}
     * @return {@code (B·N, heads, T, T)} over the windows {@code config().pairing()} cuts for that direction (see
     *     {@link WindowCrossAttention#attentionWeights})
     * @throws IllegalStateException when the variant has no enhancement in that direction
     */
    public NDArray attentionWeights(ParameterStore ps, NDArray local, NDArray global, Perspective query) {
        checkMaps(local, global);
        if (query == Perspective.GLOBAL ? globalEnhancement == null : localEnhancement == null) {
            throw new IllegalStateException("variant " + config.variant() + " has no " + query.id()
                    + "-perspective enhancement");
        }
        return query == Perspective.GLOBAL
                ? globalEnhancement.attentionWeights(ps, local, global, config.columns(), config.rows())
                : localEnhancement.attentionWeights(ps, local, global, config.columns(), config.rows());
    }

    /**
     * The whole module on recombined maps.
     *
     * @param local {@code F^loc (B, H, W, d)}
     * @param global {@code F^glo (B, H, W, d)}
     * @param lowRes {@code (B, h, w, d)} or {@code null}
     * @return {@code (B, h, w, d)}, or {@code (B, H, W, d)} with a pooling that keeps the resolution
     */
    public NDArray forward(ParameterStore ps, NDArray local, NDArray global, NDArray lowRes, boolean training) {
        return forward(ps, local, global, lowRes, config.columns(), config.rows(), training);
    }

    /**
     * {@link #forward(ParameterStore, NDArray, NDArray, NDArray, boolean)} on a {@code cols × rows} grid; a
     * point-sampling pooling computes only the positions it reads (see {@link #sampledPooling}).
     */
    public NDArray forward(ParameterStore ps, NDArray local, NDArray global, NDArray lowRes, int cols, int rows,
            boolean training) {
        int[] offsets = config.pooling().pointSampleOffsets(cols, rows);
        NDArray pooled;
        if (offsets != null && sampledPooling && config.variant().tokenWise()
                && (fusion == null || fusion.tokenWise())) {
            pooled = enhanceSampled(ps, local, global, cols, rows, offsets, training); // (B, H/rows, W/cols, d)
        } else if (poolsBeforeValues()) {
            pooled = enhancePooled(ps, local, global, cols, rows, training); // (B, H/rows, W/cols, d)
        } else {
            pooled = config.pooling().pool(enhance(ps, local, global, cols, rows, training), cols, rows);
        }
        return lowRes == null ? pooled : config.lowResCombine().combine(pooled, lowRes);
    }

    /**
     * The module on sub-features straight from the encoder: recombines them with eq. (5)-(6) first.
     *
     * @param localSubs {@code (B·N, h, w, d)}, local sub-image {@code k = n_W·row + col} of item {@code b} at
     *     {@code b·N + k}
     * @param globalSubs {@code (B·N, h, w, d)}, global sub-image {@code k = n_W·i + j}
     * @param lowRes {@code (B, h, w, d)} or {@code null}
     */
    public NDArray forwardSubFeatures(ParameterStore ps, NDArray localSubs, NDArray globalSubs, NDArray lowRes,
            boolean training) {
        return forwardSubFeatures(ps, localSubs, globalSubs, lowRes, config.columns(), config.rows(), training);
    }

    /**
     * {@link #forwardSubFeatures(ParameterStore, NDArray, NDArray, NDArray, boolean)} for sub-features of a
     * {@code cols × rows} grid (e.g. one chosen per image by eq. (9)-(10)); the configured grid only sets the default.
     */
    public NDArray forwardSubFeatures(ParameterStore ps, NDArray localSubs, NDArray globalSubs, NDArray lowRes,
            int cols, int rows, boolean training) {
        Shape s = localSubs.getShape();
        if (s.dimension() != 4 || !s.equals(globalSubs.getShape())) {
            throw new IllegalArgumentException("expected local and global sub-features (B·N, h, w, d) of one shape, got "
                    + s + " and " + globalSubs.getShape());
        }
        CropGrid g = CropGrid.of(cols, rows, (int) s.get(2), (int) s.get(1));
        NDArray local = GridMaps.recombineLocal(localSubs, g, Layout.CHANNELS_LAST); // (B, H, W, d)
        NDArray global = GridMaps.recombineGlobal(globalSubs, g, Layout.CHANNELS_LAST); // (B, H, W, d)
        return forward(ps, local, global, lowRes, cols, rows, training);
    }

    private void checkMaps(NDArray local, NDArray global) {
        checkMaps(local, global, config.columns(), config.rows());
    }

    private void checkMaps(NDArray local, NDArray global, int columns, int rows) {
        Shape s = local.getShape();
        if (s.dimension() != 4 || s.get(3) != config.channels() || !s.equals(global.getShape())) {
            throw new IllegalArgumentException("expected local and global maps (B, H, W, " + config.channels()
                    + ") of one shape, got " + s + " and " + global.getShape());
        }
        if (s.get(1) % rows != 0 || s.get(2) % columns != 0) {
            throw new IllegalArgumentException("map " + s + " is not a " + columns + "x" + rows
                    + " grid of sub-features");
        }
    }

    /** Initialises every parameter from {@code seed} (PyTorch's default initialisation). */
    public void initialize(NDManager manager, long seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed((int) seed);
        Shape map = new Shape(1, config.rows(), config.columns(), config.channels());
        initialize(manager, DataType.FLOAT32, map, map);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return list(forward(ps, inputs.get(0), inputs.get(1), inputs.size() > 2 ? inputs.get(2) : null, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        if (config.pooling().keepsResolution()) {
            return new Shape[] {s};
        }
        return new Shape[] {new Shape(s.get(0), s.get(1) / config.rows(), s.get(2) / config.columns(), s.get(3))};
    }

    @Override
    public String toString() {
        return "DualPerspectiveEnhancement" + config + " (" + parameterCount() + " parameters)";
    }

    /**
     * Builder. {@code setChannels} and {@code setGrid} are required; the defaults are the paper's equations: variant
     * {@code FULL}, fusion {@code LINEAR_CONCAT} (eq. 26-27), pooling {@code AVERAGE} (eq. 7), low-res combine
     * {@code ADD}, pairing {@code EQUATIONS_4_3_2} (eq. 18-19, 22-23), separate attention per direction, 1 head
     * (eq. 20: scale {@code 1/√d}), no output projection, no residual, no norm, no bias.
     */
    public static final class Builder {
        private int channels;
        private int columns;
        private int rows;
        private int heads = 1;
        private DemVariant variant = StandardVariant.FULL;
        private Fusion fusion = StandardFusion.LINEAR_CONCAT;
        private Pooling pooling = StandardPooling.AVERAGE;
        private LowResCombine lowResCombine = LowResCombine.ADD;
        private ReCropPairing pairing = ReCropPairing.EQUATIONS_4_3_2;
        private boolean sharedAttention;
        private boolean outProjection;
        private WindowCrossAttention.Residual residual = WindowCrossAttention.Residual.NONE;
        private WindowCrossAttention.Norm norm = WindowCrossAttention.Norm.NONE;
        private boolean bias;

        private Builder() {}

        /** Feature width {@code d}. Required. */
        public Builder setChannels(int channels) {
            this.channels = channels;
            return this;
        }

        /** The crop grid {@code n_W × n_H}. Required. */
        public Builder setGrid(int columns, int rows) {
            this.columns = columns;
            this.rows = rows;
            return this;
        }

        /** Attention heads; default 1. */
        public Builder optHeads(int heads) {
            this.heads = heads;
            return this;
        }

        /** Variant; default {@link StandardVariant#FULL}. */
        public Builder optVariant(DemVariant variant) {
            this.variant = variant;
            return this;
        }

        /** Fusion; default {@link StandardFusion#LINEAR_CONCAT}. */
        public Builder optFusion(Fusion fusion) {
            this.fusion = fusion;
            return this;
        }

        /** Pooling; default {@link StandardPooling#AVERAGE}. */
        public Builder optPooling(Pooling pooling) {
            this.pooling = pooling;
            return this;
        }

        /** Low-resolution combine; default {@link LowResCombine#ADD}. */
        public Builder optLowResCombine(LowResCombine lowResCombine) {
            this.lowResCombine = lowResCombine;
            return this;
        }

        /** Re-crop pairing; default {@link ReCropPairing#EQUATIONS_4_3_2}. */
        public Builder optPairing(ReCropPairing pairing) {
            this.pairing = pairing;
            return this;
        }

        /** One attention for both directions; default false (separate, eq. 20 and 24). */
        public Builder optSharedAttention(boolean sharedAttention) {
            this.sharedAttention = sharedAttention;
            return this;
        }

        /** Attention output projection; default false. */
        public Builder optOutProjection(boolean outProjection) {
            this.outProjection = outProjection;
            return this;
        }

        /** Attention residual; default none. */
        public Builder optResidual(WindowCrossAttention.Residual residual) {
            this.residual = residual;
            return this;
        }

        /** Attention normalisation; default none. */
        public Builder optNorm(WindowCrossAttention.Norm norm) {
            this.norm = norm;
            return this;
        }

        /** Biases on the attention projections; default false. */
        public Builder optBias(boolean bias) {
            this.bias = bias;
            return this;
        }

        /** The validated configuration. */
        public DemConfig buildConfig() {
            if (channels < 1) {
                throw new IllegalArgumentException("setChannels is required and must be positive, got channels="
                        + channels);
            }
            if (columns < 1 || rows < 1) {
                throw new IllegalArgumentException("setGrid is required: grid must be at least 1x1, got " + columns
                        + "x" + rows);
            }
            if (heads < 1 || channels % heads != 0) {
                throw new IllegalArgumentException("channels must divide into heads: channels=" + channels + " heads="
                        + heads);
            }
            if (variant == null || fusion == null || pooling == null || lowResCombine == null || pairing == null
                    || residual == null || norm == null) {
                throw new IllegalArgumentException("variant, fusion, pooling, lowResCombine, pairing, residual and "
                        + "norm must not be null");
            }
            if (variant.usesFusion()) {
                fusion.create(channels); // the fusion checks its channel constraint with the value in the message
            }
            return new DemConfig(channels, columns, rows, heads, variant, fusion, pooling, lowResCombine, pairing,
                    sharedAttention, outProjection, residual, norm, bias);
        }

        /** Builds the module (parameters not yet initialised: call {@link #initialize(NDManager, long)}). */
        public DualPerspectiveEnhancement build() {
            return new DualPerspectiveEnhancement(buildConfig());
        }
    }
}
