package org.infllava.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.infllava.crop.CropPlan;
import org.infllava.crop.CropViews;
import org.infllava.crop.DualCrops;
import org.infllava.crop.Perspective;
import org.infllava.crop.SubImageRef;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewSlot;
import org.infllava.io.AtomicFiles;
import org.infllava.io.ImageFiles;
import org.infllava.io.InvalidInputException;

/**
 * Writes a crop as lossless PNGs plus {@code manifest.json}, atomically: everything goes to a hidden temporary
 * directory beside the target, which is renamed into place only when complete ({@link AtomicFiles#writeDirectory}).
 * On any failure (a full disk, a read-only directory) the temporary directory is removed, nothing is left behind
 * and a directory being replaced is intact.
 *
 * <p>Files: {@code local-R-C.png} (row R, column C), {@code global-I-J.png} ({@code = canvas[I::n_H, J::n_W]}),
 * {@code low-res.png} when the plan has the low-resolution view.
 */
final class CropWriter {

    private CropWriter() {}

    /** Checks, before any work, that {@code out} can be created and does not hold anything we would overwrite. */
    static void checkTarget(Path out, boolean replace) {
        Path parent = out.toAbsolutePath().getParent();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new InvalidInputException(out, "output exists and is not a directory");
        }
        if (Files.isDirectory(out) && !replace && !isEmptyDirectory(out)) {
            throw new InvalidInputException(out, "output directory exists and is not empty (use --force to replace it)");
        }
        if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) {
            throw new InvalidInputException(out, "cannot create output directory: " + parent + " is not a directory");
        }
        if (parent != null && Files.isDirectory(parent) && !Files.isWritable(parent)) {
            throw new InvalidInputException(out, "cannot create output directory: " + parent + " is not writable");
        }
    }

    /**
     * Writes a front-end's views to {@code out} atomically: {@code view-K.png} in encoder order and
     * {@code manifest.json} with {@code "strategy"} and {@code "views": [{"file", "role", "row", "col", "box"}]}
     * (box {@code [x0, y0, x1, y1]} in source pixels, half-open, or {@code null}). With the DCM's {@code crops} the
     * {@code local-R-C.png}, {@code global-I-J.png} and {@code low-res.png} files are written too and the manifest
     * also holds the DCM fields of {@link #manifest}.
     */
    static JsonObject writeViews(CropViews views, DualCrops crops, Path source, Path out, boolean replace) {
        return atomically(out, replace, tmp -> {
            ViewLayout layout = views.layout();
            JsonObject m = crops != null ? manifest(crops, source) : new JsonObject();
            if (crops == null) {
                m.addProperty("format", "infllava-views/1");
                JsonObject src = new JsonObject();
                src.addProperty("file", source == null ? null : source.toString());
                src.addProperty("width", layout.sourceWidth());
                src.addProperty("height", layout.sourceHeight());
                m.add("source", src);
            }
            m.addProperty("strategy", layout.strategy());
            m.add("view", size(layout.viewWidth(), layout.viewHeight()));
            JsonArray list = new JsonArray();
            for (int k = 0; k < views.count(); k++) {
                ViewSlot slot = layout.slots().get(k);
                String file = "view-" + k + ".png";
                ImageFiles.writePng(views.images().get(k), tmp.resolve(file));
                JsonObject v = new JsonObject();
                v.addProperty("file", file);
                v.addProperty("role", slot.role().label());
                v.addProperty("row", slot.row());
                v.addProperty("col", slot.col());
                if (slot.box() == null) {
                    v.add("box", JsonNull.INSTANCE);
                } else {
                    JsonArray b = new JsonArray();
                    b.add(slot.box().x0());
                    b.add(slot.box().y0());
                    b.add(slot.box().x1());
                    b.add(slot.box().y1());
                    v.add("box", b);
                }
                list.add(v);
            }
            m.add("views", list);
            if (crops != null) {
                writeDcmFiles(crops, tmp);
            }
            return m;
        });
    }

    /** Writes {@code crops} to {@code out} atomically and returns the manifest. */
    static JsonObject write(DualCrops crops, Path source, Path out, boolean replace) {
        return atomically(out, replace, tmp -> {
            JsonObject manifest = manifest(crops, source);
            writeDcmFiles(crops, tmp);
            return manifest;
        });
    }

    private static void writeDcmFiles(DualCrops crops, Path tmp) throws IOException {
        for (Perspective p : crops.plan().perspectives()) {
            List<BufferedImage> subs = crops.subImages(p);
            for (int k = 0; k < subs.size(); k++) {
                ImageFiles.writePng(subs.get(k), tmp.resolve(crops.plan().view(p, k).fileName()));
            }
        }
        if (crops.lowRes() != null) {
            ImageFiles.writePng(crops.lowRes(), tmp.resolve("low-res.png"));
        }
    }

    /** Fills a temporary directory beside {@code out}, adds {@code manifest.json} and renames it into place. */
    interface Filler {
        JsonObject fill(Path tmp) throws IOException;
    }

    private static JsonObject atomically(Path out, boolean replace, Filler filler) {
        checkTarget(out, replace);
        return AtomicFiles.writeDirectory(out, tmp -> {
            JsonObject manifest = filler.fill(tmp);
            AtomicFiles.writeInto(tmp.resolve("manifest.json"),
                    new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(manifest) + "\n");
            return manifest;
        });
    }

    /** The manifest: sizes, grid, policy and, for every file, its perspective, offset and stride on the canvas. */
    static JsonObject manifest(DualCrops crops, Path source) {
        CropPlan plan = crops.plan();
        JsonObject m = new JsonObject();
        m.addProperty("format", "infllava-crop/1");
        JsonObject src = new JsonObject();
        src.addProperty("file", source == null ? null : source.toString());
        src.addProperty("width", plan.sourceWidth());
        src.addProperty("height", plan.sourceHeight());
        m.add("source", src);
        m.add("resized", size(plan.resizedWidth(), plan.resizedHeight()));
        m.addProperty("policy", plan.policy().cliName());
        JsonObject grid = new JsonObject();
        grid.addProperty("columns", plan.grid().columns());
        grid.addProperty("rows", plan.grid().rows());
        m.add("grid", grid);
        m.add("subImage", size(plan.subWidth(), plan.subHeight()));
        m.addProperty("order", "row-major: k = columns*row + col; global (I, J) = resized[I::rows, J::columns]");
        JsonArray files = new JsonArray();
        for (SubImageRef ref : plan.views()) {
            JsonObject f = new JsonObject();
            f.addProperty("file", ref.fileName());
            f.addProperty("perspective", ref.perspective().id());
            f.addProperty("index", ref.index());
            f.addProperty("row", ref.row());
            f.addProperty("col", ref.col());
            f.add("offset", xy(ref.offsetX(), ref.offsetY()));
            f.add("stride", xy(ref.strideX(), ref.strideY()));
            files.add(f);
        }
        if (plan.lowResView()) {
            JsonObject f = new JsonObject();
            f.addProperty("file", "low-res.png");
            f.addProperty("perspective", "low-res");
            f.addProperty("method", "bicubic resize of the resized image (Pillow-compatible)");
            files.add(f);
        }
        m.add("files", files);
        return m;
    }

    private static JsonObject size(int w, int h) {
        JsonObject o = new JsonObject();
        o.addProperty("width", w);
        o.addProperty("height", h);
        return o;
    }

    private static JsonObject xy(int x, int y) {
        JsonObject o = new JsonObject();
        o.addProperty("x", x);
        o.addProperty("y", y);
        return o;
    }

    private static boolean isEmptyDirectory(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
