package org.infllava.spark;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.infllava.eval.EvalQuestion;
import org.infllava.eval.Evaluator;
import org.infllava.infer.ChatTemplate;
import org.infllava.infer.TextTokenizer;
import org.infllava.model.InfLlavaModel;
import org.infllava.model.ModelDirectory;

/**
 * The per-JVM state of an executor: models and benchmarks, each loaded once, on first use, by whichever task needs it
 * first, and shared by the executor's task threads. Nothing here is serialized with a task. A model that fails to
 * load is not remembered: the next task tries again (and fails with the same clear message).
 */
public final class Workers {

    /**
     * A loaded model with what answers questions with it.
     *
     * @param manager owns the parameters; lives as long as the JVM
     * @param model the model
     * @param tokenizer its tokenizer
     * @param evaluator answers batches with them ({@link Evaluator#answer(List, int)})
     */
    public record Worker(NDManager manager, InfLlavaModel model, TextTokenizer tokenizer, Evaluator evaluator) {}

    private static final Map<String, Worker> MODELS = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, EvalQuestion>> QUESTIONS = new ConcurrentHashMap<>();
    private static final AtomicInteger MODEL_LOADS = new AtomicInteger();

    private Workers() {}

    /** The model of {@code spec}, loaded on first use in this JVM. */
    public static Worker model(EvalSpec spec) {
        return MODELS.computeIfAbsent(spec.modelKey(), k -> load(spec));
    }

    /** The questions of {@code spec}'s benchmark by id, read on first use in this JVM. */
    public static Map<String, EvalQuestion> questions(EvalSpec spec) {
        return QUESTIONS.computeIfAbsent(spec.dataKey(), k -> {
            Map<String, EvalQuestion> byId = new LinkedHashMap<>();
            spec.load().questions().forEach(q -> byId.put(q.id(), q));
            return byId;
        });
    }

    /** How many models this JVM has loaded (tests: once per model, however many tasks). */
    public static int modelLoads() {
        return MODEL_LOADS.get();
    }

    /** Where this executor runs, for messages: {@code executor <id> on <host>}. */
    static String where() {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return "executor ? (no Spark environment)";
        }
        return "executor " + env.executorId() + " on " + env.blockManager().blockManagerId().host();
    }

    private static Worker load(EvalSpec spec) {
        NDManager manager = NDManager.newBaseManager(device(), "PyTorch");
        TextTokenizer tok = null;
        try {
            tok = TextTokenizer.load(spec.modelPath());
            InfLlavaModel model = InfLlavaModel.fromPretrained(spec.modelPath(), spec.visionPath(), manager);
            tok.checkFits(model.llm().config().vocabSize(), spec.modelPath().resolve("config.json"));
            ChatTemplate tpl = ModelDirectory.chatTemplate(spec.modelPath(), spec.template());
            Evaluator ev = Evaluator.builder().setModel(model).setTokenizer(tok).optTemplate(tpl)
                    .optBatchSize(spec.batchSize()).optStopTokens(ModelDirectory.stopTokens(spec.modelPath(), tok, tpl))
                    .build();
            MODEL_LOADS.incrementAndGet();
            return new Worker(manager, model, tok, ev);
        } catch (RuntimeException e) {
            if (tok != null) {
                tok.close();
            }
            manager.close();
            throw e;
        }
    }

    /**
     * The device for this JVM's models: the GPU Spark's resource scheduling gave the task
     * ({@code spark.task.resource.gpu.amount=1}), else DJL's default (the first GPU if any, else the CPU).
     */
    private static Device device() {
        TaskContext tc = TaskContext.get();
        if (tc != null) {
            ResourceInformation gpu = tc.resourcesJMap().get("gpu");
            if (gpu != null && gpu.addresses().length > 0) {
                return Device.gpu(Integer.parseInt(gpu.addresses()[0]));
            }
        }
        return null;
    }
}
