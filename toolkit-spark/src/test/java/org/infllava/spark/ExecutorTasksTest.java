package org.infllava.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaRDD;
import org.infllava.model.GradMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Fifty tasks in one executor (local mode: this JVM, two pooled task threads) answering with the model the executor
 * loaded once, each task on a thread whose PyTorch autograd switch was turned on first (as a pooled thread may have
 * it, docs/training.md): every answer equals the single-process one, the model is loaded once, and native memory is
 * flat: no NDArray outlives its task (the count of live arrays, the model's parameters included, is the same after
 * task 10 as after task 50) and the resident set grows by less than a loose bound.
 */
class ExecutorTasksTest {

    private static final int N = 5;
    private static final int TOKENS = 5;

    @TempDir
    static Path dir;

    private static Path modelDir;
    private static Path pope;
    private static Map<String, String> expected;

    @BeforeAll
    static void reference() throws IOException {
        modelDir = Tiny.model(dir);
        pope = Tiny.pope(dir, N);
        Tiny.singleProcess(modelDir, pope, dir.resolve("single"), 2, TOKENS);
        expected = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("single").resolve("predictions.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            expected.put(o.get("question_id").getAsString(), o.get("text").getAsString());
        }
    }

    /** Turns autograd on for the task's thread, then runs the real task; appends {@code {"#grad", on, thread}}. */
    static final class AutogradOnTask extends AbstractFunction1<Iterator<String>, ArrayList<String[]>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final EvalTask task;

        AutogradOnTask(EvalTask task) {
            this.task = task;
        }

        @Override
        public ArrayList<String[]> apply(Iterator<String> ids) {
            JniUtils.setGradMode(true);
            boolean on = GradMode.enabled();
            ArrayList<String[]> out = task.apply(ids);
            out.add(new String[] {"#grad", String.valueOf(on), String.valueOf(Thread.currentThread().getId())});
            return out;
        }
    }

    /** Every NDArray alive in this JVM: the PyTorch system manager's, through all its sub-managers. */
    private static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager("PyTorch")) {
            return ((BaseNDManager) probe.getParentManager()).getManagedArrays().size();
        }
    }

    private static long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    @Test
    void fiftyTasksInOneExecutorAnswerCorrectlyWithFlatNativeMemory() throws IOException {
        // The probe counts what it should: an array left in an open manager is one more, closing it one less.
        int before = liveArrays();
        NDManager leak = NDManager.newBaseManager("PyTorch");
        leak.zeros(new ai.djl.ndarray.types.Shape(3));
        assertEquals(before + 1, liveArrays());
        leak.close();
        assertEquals(before, liveArrays());

        EvalSpec spec = new EvalSpec(modelDir.toAbsolutePath().toString(), null, "plain", 2, TOKENS, "pope",
                pope.toAbsolutePath().toString(), null, false);
        AutogradOnTask task = new AutogradOnTask(new EvalTask(spec));
        int loadsBefore = Workers.modelLoads();
        int arraysAfter10 = -1;
        long rssAfter10 = -1;
        Set<String> threads = new HashSet<>();
        int tasks = 0;
        for (int job = 0; job < 5; job++) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(String.valueOf((job + i) % N));
            }
            JavaRDD<String> rdd = Tiny.jsc().parallelize(ids, 10); // 10 tasks of one question each
            Object[] results = (Object[]) Tiny.jsc().sc().runJob(rdd.rdd(), task,
                    ClassTag$.MODULE$.apply(ArrayList.class));
            for (Object r : results) {
                @SuppressWarnings("unchecked")
                List<String[]> rows = (List<String[]>) r;
                assertEquals(2, rows.size());
                assertEquals(expected.get(rows.get(0)[0]), rows.get(0)[1], "question " + rows.get(0)[0]);
                assertEquals("#grad", rows.get(1)[0]);
                assertEquals("true", rows.get(1)[1], "the task ran with autograd on");
                threads.add(rows.get(1)[2]);
                tasks++;
            }
            if (job == 0) {
                System.gc();
                arraysAfter10 = liveArrays();
                rssAfter10 = rssKb();
            }
        }
        System.gc();
        int arraysAfter50 = liveArrays();
        long rssAfter50 = rssKb();
        System.out.printf("50 tasks on %d thread(s): live NDArrays %d after 10 tasks, %d after 50; RSS %d MB -> %d MB%n",
                threads.size(), arraysAfter10, arraysAfter50, rssAfter10 / 1024, rssAfter50 / 1024);
        assertEquals(50, tasks);
        assertEquals(1, Workers.modelLoads() - loadsBefore, "the executor loads the model once");
        assertTrue(arraysAfter10 > before, "the model's parameters are alive");
        assertEquals(arraysAfter10, arraysAfter50, "no NDArray outlives its task");
        assertTrue(rssAfter50 - rssAfter10 < 128 * 1024, "RSS grew by " + (rssAfter50 - rssAfter10) / 1024 + " MB");
    }
}
