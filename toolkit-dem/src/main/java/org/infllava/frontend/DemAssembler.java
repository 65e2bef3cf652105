package org.infllava.frontend;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewRole;
import org.infllava.dem.DemWeights;
import org.infllava.dem.DualPerspectiveEnhancement;
import org.infllava.dem.LowResCombine;
import org.infllava.dem.StandardVariant;
import org.infllava.io.HostTensor;

/**
 * INF-LLaVA's token assembler: the Dual-perspective Enhancement Module (§4.3) on the DCM's views — the
 * {@code N = n_W·n_H} local sub-features and the {@code N} global ones recombined by eq. (5)-(6), enhanced, fused and
 * pooled, then combined with the low-resolution view's features (§5.5). The grid comes from the layout, so an
 * automatic DCM grid ({@code inf-dcm-auto}) works with the same weights: no DEM parameter depends on the grid.
 *
 * <p>Shapes: {@code (2N [+ 1], g², d)} → {@code (1, h·w, d)} ({@code (1, n_H·g · n_W·g, d)} with a pooling that
 * keeps the resolution). Checkpoint names: {@code spatial_embed.*} ({@link DemWeights}).
 */
public final class DemAssembler implements TokenAssembler {

    /** Registry name. */
    public static final String NAME = "dem";

    private final DualPerspectiveEnhancement dem;

    /** @param dem the module, any variant and preset */
    public DemAssembler(DualPerspectiveEnhancement dem) {
        this.dem = java.util.Objects.requireNonNull(dem, "dem");
    }

    /** The module. */
    public DualPerspectiveEnhancement dem() {
        return dem;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int outputChannels(int encoderChannels) {
        if (encoderChannels != dem.config().channels()) {
            throw new IllegalArgumentException("DEM channels " + dem.config().channels()
                    + " differ from the vision width " + encoderChannels);
        }
        return encoderChannels;
    }

    @Override
    public long featureCount(ViewLayout layout, int grid) {
        check(layout);
        long n = (long) layout.gridRows(ViewRole.LOCAL) * layout.gridCols(ViewRole.LOCAL);
        return dem.config().pooling().keepsResolution() ? n * grid * grid : (long) grid * grid;
    }

    @Override
    public List<Integer> usedViews(ViewLayout layout) {
        check(layout);
        List<Integer> out = new ArrayList<>();
        if (dem.config().variant() != StandardVariant.GLOBAL_CROP_ONLY) {
            out.addAll(layout.indicesOf(ViewRole.LOCAL));
        }
        if (dem.config().variant() != StandardVariant.LOCAL_CROP_ONLY) {
            out.addAll(layout.indicesOf(ViewRole.GLOBAL));
        }
        if (dem.config().lowResCombine() != LowResCombine.NONE) {
            out.addAll(layout.indicesOf(ViewRole.LOW_RES));
        }
        out.sort(Integer::compare);
        return out;
    }

    @Override
    public NDArray assemble(ParameterStore ps, NDArray features, ViewLayout layout, boolean training) {
        check(layout);
        int g = ViewFeatures.grid(features, layout, NAME);
        long d = features.getShape().get(2);
        int rows = layout.gridRows(ViewRole.LOCAL);
        int cols = layout.gridCols(ViewRole.LOCAL);
        int n = rows * cols;
        NDArray local = ViewFeatures.pick(features, ViewFeatures.rowMajor(layout, ViewRole.LOCAL))
                .reshape(n, g, g, d); // (N, g, g, d)
        NDArray global = ViewFeatures.pick(features, ViewFeatures.rowMajor(layout, ViewRole.GLOBAL))
                .reshape(n, g, g, d); // (N, g, g, d)
        List<Integer> lowIdx = layout.indicesOf(ViewRole.LOW_RES);
        NDArray low = lowIdx.isEmpty() ? null : ViewFeatures.pick(features, lowIdx).reshape(1, g, g, d); // (1, g, g, d)
        NDArray fused = dem.forwardSubFeatures(ps, local, global, low, cols, rows, training); // (1, g', g', d)
        return fused.reshape(1, -1, d); // (1, T_v, d)
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return dem.namedParameters();
    }

    @Override
    public String checkpointPrefix() {
        return DemWeights.PREFIX;
    }

    @Override
    public void initialize(NDManager manager, long seed) {
        dem.initialize(manager, seed);
    }

    @Override
    public Map<String, HostTensor> export() {
        return DemWeights.export(dem);
    }

    @Override
    public void load(Map<String, HostTensor> tensors, Path source) {
        DemWeights.load(dem, tensors, source);
    }

    private static void check(ViewLayout layout) {
        int local = layout.indicesOf(ViewRole.LOCAL).size();
        int global = layout.indicesOf(ViewRole.GLOBAL).size();
        int low = layout.indicesOf(ViewRole.LOW_RES).size();
        if (local == 0 || local != global || low > 1 || local + global + low != layout.count()) {
            throw new IllegalArgumentException("the DEM needs both DCM perspectives (and at most one low-resolution "
                    + "view) from the crop strategy; " + layout.strategy() + " makes " + local + " local, " + global
                    + " global, " + low + " low-res of " + layout.count() + " views");
        }
    }
}
