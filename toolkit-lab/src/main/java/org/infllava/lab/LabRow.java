package org.infllava.lab;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.infllava.train.ProgressBar;

/**
 * One lab row in a process of its own, so that independent rows train side by side: DJL's PyTorch engine allows one
 * gradient collector per process, so two rows cannot train on two threads of one JVM. The parent ({@link Lab})
 * writes {@code settings.json} into the run directory, starts one child per row with one intra-op thread
 * ({@code -Dai.djl.pytorch.num_threads=1}), and reads back {@code <row>/row-result.json}.
 *
 * <p>Rows are named: {@link #model(String)} knows the demo's rows and every registered front-end.
 */
public final class LabRow {

    static final String SETTINGS = "settings.json";
    static final String RESULT = "row-result.json";

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private LabRow() {}

    /** The named lab model, or {@code null} when the name is not a known row (such rows train in the parent). */
    static LabModel model(String name) {
        return switch (name) {
            case Lab.BLIND -> LabModel.blind();
            case "llava-1.5" -> LabModel.llava15();
            case "inf-llava-paper" -> LabModel.paper();
            case "inf-llava-reference" -> LabModel.reference();
            case "inf-llava-paper-residual" -> LabModel.paperResidual();
            case LabResults.CEILING -> LabModel.ceiling();
            default -> org.infllava.frontend.VisualFrontEnds.names().contains(name) ? LabModel.frontEnd(name) : null;
        };
    }

    /** Whether {@code m} can train in a child process: its name rebuilds the same model. */
    static boolean byName(LabModel m) {
        LabModel n = model(m.name());
        return n != null && n.grid() == m.grid() && n.referenceLowRes() == m.referenceLowRes()
                && java.util.Objects.equals(n.frontEnd(), m.frontEnd()) && (n.dem() == null) == (m.dem() == null);
    }

    static void writeSettings(LabSettings s, Path runDir) {
        write(runDir.resolve(SETTINGS), GSON.toJson(s));
    }

    static LabSettings readSettings(Path runDir) {
        return GSON.fromJson(read(runDir.resolve(SETTINGS)), LabSettings.class);
    }

    static void writeResult(LabResults.ModelResult r, Path rowDir) {
        write(rowDir.resolve(RESULT), GSON.toJson(r));
    }

    static LabResults.ModelResult readResult(Path rowDir) {
        return GSON.fromJson(read(rowDir.resolve(RESULT)), LabResults.ModelResult.class);
    }

    /**
     * Whether a child JVM started with this JVM's class path finds the toolkit: true when this class came from the
     * system class loader (the command line, tests, JShell with {@code --class-path}); false under a kernel that
     * loaded the toolkit through {@code %maven} into a class loader of its own (IJava).
     */
    static boolean launchable() {
        return LabRow.class.getClassLoader() == ClassLoader.getSystemClassLoader();
    }

    /** The command that trains row {@code name} of the run in {@code runDir} on the tower in {@code vision} in a new JVM like this one. */
    static List<String> command(Path runDir, String name, Path vision) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx2g");
        for (Map.Entry<Object, Object> e : System.getProperties().entrySet()) {
            String k = e.getKey().toString();
            if (k.startsWith("ai.djl.") && !k.equals("ai.djl.pytorch.num_threads")
                    && !k.equals("ai.djl.pytorch.num_interop_threads") || k.equals("java.awt.headless")
                    || k.startsWith("org.slf4j.simpleLogger.")) {
                cmd.add("-D" + k + "=" + e.getValue());
            }
        }
        cmd.add("-Dai.djl.pytorch.num_threads=1");
        cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LabRow.class.getName());
        cmd.add(runDir.toAbsolutePath().toString());
        cmd.add(name);
        cmd.add(vision.toAbsolutePath().toString());
        return cmd;
    }

    /**
     * {@code LabRow RUN_DIR ROW [VISION_DIR]}: trains and scores one row of a lab run whose data and tower are in
     * place; the tower is {@code RUN_DIR/stage0/vision} unless given (the blind row, which reads no image, trains on a
     * stand-in while stage 0 runs).
     */
    public static void main(String[] args) {
        Path run = Path.of(args[0]);
        LabModel m = model(args[1]);
        if (m == null) {
            throw new IllegalArgumentException("unknown lab row '" + args[1] + "'");
        }
        LabSettings s = readSettings(run);
        PrintWriter out = new PrintWriter(System.out, true);
        Lab lab = Lab.builder().optSettings(s).optModels(List.of(m)).optOutput(out).optParallelRows(1).build();
        Path dir = run.resolve(m.name());
        Path vision = args.length > 2 ? Path.of(args[2]) : run.resolve("stage0").resolve("vision");
        LabResults.ModelResult r = lab.trainAndScore(m, run.resolve("data"), vision, dir, ProgressBar.of(new PrintWriter(Writer.nullWriter()), 1));
        writeResult(r, dir);
    }

    private static void write(Path f, String text) {
        try {
            Files.createDirectories(f.getParent());
            Files.writeString(f, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
