package org.infllava.dem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;

/**
 * The fusions of Tab. 5 and of the published code. {@code A = V^glo}, {@code B = V^loc}, all {@code (B, H, W, d)}.
 */
public enum StandardFusion implements Fusion {
    /** Eq. (26)-(27): {@code [A·W^glo ; B·W^loc]}, {@code W ∈ R^{d × d/2}} without bias. Needs even {@code d}. */
    LINEAR_CONCAT,
    /** A 3×3 convolution (padding 1) of {@code [A ; B]}: {@code 2d → d} channels, with bias. */
    CONV3X3,
    /** {@code A ⊙ B}. */
    MULTIPLY,
    /** {@code w_0·A + w_1·B} with two learned scalars (initialised to 0.5). */
    WEIGHTED_ADD,
    /** Element-wise {@code max(A, B)}. */
    MAXPOOL,
    /** {@code A + B}. */
    ADD,
    /**
     * The published code: {@code LayerNorm([ffn_crop(B) ; ffn_stride(A)] + A + B)}, each ffn a Linear
     * {@code d → d/16}, GELU, Linear {@code d/16 → d/2}. Needs {@code d} divisible by 16.
     */
    REFERENCE_BOTTLENECK;

    @Override
    public FusionBlock create(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException(name() + " needs positive channels, got " + channels);
        }
        return switch (this) {
            case LINEAR_CONCAT -> new LinearConcat(channels);
            case CONV3X3 -> new Conv3x3(channels);
            case MULTIPLY -> new Elementwise(channels, this);
            case WEIGHTED_ADD -> new WeightedAdd(channels);
            case MAXPOOL -> new Elementwise(channels, this);
            case ADD -> new Elementwise(channels, this);
            case REFERENCE_BOTTLENECK -> new Bottleneck(channels);
        };
    }

    /** Eq. (26)-(27). */
    static final class LinearConcat extends FusionBlock {
        @Override
        public boolean tokenWise() {
            return true;
        }

        /** Two bias-free projections, then a concatenation. */
        @Override
        public boolean linear() {
            return true;
        }

        private final Dense global;
        private final Dense local;

        LinearConcat(int channels) {
            super(channels);
            if (channels % 2 != 0) {
                throw new IllegalArgumentException("LINEAR_CONCAT halves the channels: d must be even, got " + channels);
            }
            global = dense("fuse_global", channels, channels / 2, false);
            local = dense("fuse_local", channels, channels / 2, false);
        }

        /** Dual-perspective fusion, eq. (26)-(27): {@code [V^glo W^glo ; V^loc W^loc]}. */
        @Override
        public NDArray fuse(ParameterStore ps, NDArray a, NDArray b, boolean training) {
            return global.apply(ps, a, training).concat(local.apply(ps, b, training), -1); // (B, H, W, d)
        }
    }

    static final class Conv3x3 extends FusionBlock {
        private final Parameter weight;
        private final Parameter bias;

        Conv3x3(int channels) {
            super(channels);
            float bound = (float) (1.0 / Math.sqrt(2.0 * channels * 9));
            weight = addParameter(Parameter.builder().setName("fuse_conv.weight").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(channels, 2L * channels, 3, 3)).optInitializer(new UniformInitializer(bound))
                    .build());
            bias = addParameter(Parameter.builder().setName("fuse_conv.bias").setType(Parameter.Type.BIAS)
                    .optShape(new Shape(channels)).optInitializer(new UniformInitializer(bound)).build());
        }

        @Override
        public NDArray fuse(ParameterStore ps, NDArray a, NDArray b, boolean training) {
            NDArray x = a.concat(b, -1).transpose(0, 3, 1, 2); // (B, 2d, H, W)
            NDArray w = ps.getValue(weight, a.getDevice(), training);
            NDArray bb = ps.getValue(bias, a.getDevice(), training);
            NDArray y = x.getNDArrayInternal().convolution(x, w, bb, new Shape(1, 1), new Shape(1, 1),
                    new Shape(1, 1), 1).singletonOrThrow(); // (B, d, H, W)
            return y.transpose(0, 2, 3, 1); // (B, H, W, d)
        }
    }

    static final class WeightedAdd extends FusionBlock {
        @Override
        public boolean tokenWise() {
            return true;
        }

        @Override
        public boolean linear() {
            return true;
        }

        private final Parameter weights;

        WeightedAdd(int channels) {
            super(channels);
            weights = constant("fuse_weights", new Shape(2), 0.5f);
        }

        @Override
        public NDArray fuse(ParameterStore ps, NDArray a, NDArray b, boolean training) {
            NDArray w = ps.getValue(weights, a.getDevice(), training);
            return a.mul(w.get(0)).add(b.mul(w.get(1)));
        }
    }

    static final class Elementwise extends FusionBlock {
        @Override
        public boolean tokenWise() {
            return true;
        }

        @Override
        public boolean linear() {
            return kind == ADD;
        }

        private final StandardFusion kind;

        Elementwise(int channels, StandardFusion kind) {
            super(channels);
            this.kind = kind;
        }

        @Override
        public NDArray fuse(ParameterStore ps, NDArray a, NDArray b, boolean training) {
            return switch (kind) {
                case MULTIPLY -> a.mul(b);
                case MAXPOOL -> a.maximum(b);
                default -> a.add(b);
            };
        }
    }

    /** The published {@code SpatialEmbed} fusion. */
    static final class Bottleneck extends FusionBlock {
        @Override
        public boolean tokenWise() {
            return true;
        }

        private final Dense crop0;
        private final Dense crop2;
        private final Dense stride0;
        private final Dense stride2;
        private final Norm ln;

        Bottleneck(int channels) {
            super(channels);
            if (channels % 16 != 0) {
                throw new IllegalArgumentException("REFERENCE_BOTTLENECK squeezes to d/16: d must be divisible by 16,"
                        + " got " + channels);
            }
            crop0 = dense("ffn_crop.0", channels, channels / 16, true);
            crop2 = dense("ffn_crop.2", channels / 16, channels / 2, true);
            stride0 = dense("ffn_stride.0", channels, channels / 16, true);
            stride2 = dense("ffn_stride.2", channels / 16, channels / 2, true);
            ln = layerNorm("ln_fuse", channels);
        }

        @Override
        public NDArray fuse(ParameterStore ps, NDArray a, NDArray b, boolean training) {
            NDArray fromLocal = crop2.apply(ps, gelu(crop0.apply(ps, b, training)), training); // (B, H, W, d/2)
            NDArray fromGlobal = stride2.apply(ps, gelu(stride0.apply(ps, a, training)), training); // (B, H, W, d/2)
            return ln.apply(ps, fromLocal.concat(fromGlobal, -1).add(a).add(b), training); // (B, H, W, d)
        }
    }
}
