package org.infllava.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDResource;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.infllava.io.InvalidInputException;
import org.infllava.model.GradMode;
import org.infllava.model.IntraOpThreads;
import org.infllava.nn.NamedBlock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code infllava bench ops}: microseconds per call of the small operations a tiny vision layer is made of (65 tokens
 * of width 64, 4 heads), one intra-op thread, each result freed before the next call — the per-operation floor that
 * bounds every small model's forward pass. {@code bench/bench_ops.py} times the same operations in PyTorch-Python, and
 * {@code bench/compare.sh} sets the two side by side.
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
        description = "us per call of the small operations of a tiny vision layer (1 x 65 x 64, 4 heads), one "
                + "intra-op thread: the per-operation floor.")
final class BenchOps implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--calls", defaultValue = "20000", description = "Calls per timed round (default: ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--rounds", defaultValue = "5", description = "Timed rounds; the median is printed (default: "
            + "${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup-seconds", defaultValue = "1", description = "Untimed calls of each operation for at "
            + "least this long first (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (calls < 1 || rounds < 1 || !(warmupSeconds >= 0)) {
            throw new InvalidInputException("bench ops needs --calls >= 1, --rounds >= 1 and --warmup-seconds >= 0, "
                    + "got calls=" + calls + " rounds=" + rounds + " warmup-seconds=" + warmupSeconds);
        }
        PrintWriter o = spec.commandLine().getOut();
        TextTable t = new TextTable("operation", "us per call (median)", "min");
        try (NDManager m = NDManager.newBaseManager(); IntraOpThreads one = IntraOpThreads.exactly(1);
                GradMode off = GradMode.disabled()) {
            for (Map.Entry<String, Supplier<NDResource>> op : operations(m).entrySet()) {
                double[] us = time(op.getValue());
                t.row(op.getKey(), String.format("%.2f", us[us.length / 2]), String.format("%.2f", us[0]));
            }
        }
        o.printf("bench ops: %d rounds of %d calls, one intra-op thread, autograd off, PyTorch %s%n", rounds, calls,
                ai.djl.engine.Engine.getInstance().getVersion());
        o.print(t);
        return 0;
    }

    /** The operations, named as bench/bench_ops.py names them; every array is made once, outside the timing. */
    static Map<String, Supplier<NDResource>> operations(NDManager m) {
        m.getEngine().setRandomSeed(0);
        NDArray x = m.randomNormal(new Shape(1, 65, 64)); // (B, T, d)
        NDArray y = m.randomNormal(new Shape(1, 65, 64));
        NDArray h = m.randomNormal(new Shape(1, 65, 256)); // (B, T, mlp)
        NDArray heads = m.randomNormal(new Shape(1, 65, 4, 16)); // (B, T, nh, dk)
        NDArray q = m.randomNormal(new Shape(1, 4, 65, 16)); // (B, nh, T, dk)
        NDArray kt = m.randomNormal(new Shape(1, 4, 16, 65)); // (B, nh, dk, T)
        NDArray scores = m.randomNormal(new Shape(1, 4, 65, 65)); // (B, nh, T, T)
        NDArray stacked = m.randomNormal(new Shape(1, 12, 65, 16)); // (B, 3·nh, T, dk)
        NDArray w = m.randomNormal(new Shape(192, 64)); // (out, in)
        NDArray b = m.randomNormal(new Shape(192));
        NDArray gamma = m.randomNormal(new Shape(64));
        NDArray beta = m.randomNormal(new Shape(64));
        NDArray wq = m.randomNormal(new Shape(64, 64));
        NDArray half = NamedBlock.scalar(x, 0.5f);
        NDIndex patches = new NDIndex(":, 1:, :");
        Map<String, Supplier<NDResource>> ops = new LinkedHashMap<>();
        ops.put("add (1,65,64) + (1,65,64)", () -> x.add(y));
        ops.put("mul (1,65,64) by a 0-d tensor", () -> x.mul(half));
        ops.put("transpose view (1,4,65,16) -> (1,4,16,65)", () -> q.transpose(0, 1, 3, 2));
        ops.put("slice view x[:, 1:, :]", () -> NamedBlock.slice(x, patches));
        ops.put("reshape (1,65,4,16) -> (1,65,64), a view", () -> heads.reshape(1, 65, 64));
        ops.put("sigmoid (1,65,256)", () -> h.getNDArrayInternal().sigmoid());
        ops.put("layer_norm (1,65,64)", () -> NamedBlock.layerNorm(x, gamma, beta, 1e-5f));
        ops.put("softmax (1,4,65,65) over the last axis", () -> scores.softmax(-1));
        ops.put("linear (1,65,64) -> 192 with bias", () -> NamedBlock.linear(x, w, b));
        ops.put("matmul (1,4,65,16) @ (1,4,16,65)", () -> q.matMul(kt));
        ops.put("cat 3 x (64,64) on axis 0", () -> NDArrays.concat(new NDList(wq, wq, wq), 0));
        ops.put("split (1,12,65,16) in 3 on axis 1", () -> stacked.split(3, 1));
        return ops;
    }

    /** Microseconds per call of each timed round, sorted. */
    private double[] time(Supplier<NDResource> op) {
        long since = System.nanoTime();
        while (System.nanoTime() - since < warmupSeconds * 1e9) {
            for (int i = 0; i < 1000; i++) {
                op.get().close();
            }
        }
        double[] us = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                op.get().close();
            }
            us[r] = (System.nanoTime() - t0) / 1e3 / calls;
        }
        Arrays.sort(us);
        return us;
    }
}
