package org.infllava.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.infllava.eval.EvalQuestion;
import org.infllava.eval.Evaluator;
import org.infllava.io.InvalidInputException;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * An {@link Evaluator.Answerer} that answers on a Spark cluster: the question ids are split into contiguous
 * partitions, each executor answers its partitions with the model it loaded once ({@link EvalTask}), and the driver
 * hands every finished partition to the evaluator's sink in partition order, so that {@code predictions.jsonl} reads
 * exactly as a single-process run's. When the job fails, the partitions finished so far are written all the same (a
 * rerun answers only the rest) and the error names the executor and the file or question at fault.
 */
public final class SparkAnswerer implements Evaluator.Answerer {

    private final JavaSparkContext spark;
    private final EvalSpec spec;
    private final int partitions;

    /**
     * @param spark the Spark context (the driver's)
     * @param spec the model and benchmark every executor loads (its answer length is set per run)
     * @param partitions how many partitions to split the questions into; 0: one per batch of {@code spec}'s batch size
     */
    public SparkAnswerer(JavaSparkContext spark, EvalSpec spec, int partitions) {
        this.spark = spark;
        this.spec = spec;
        this.partitions = partitions;
    }

    @Override
    public void answer(List<EvalQuestion> todo, int maxNewTokens, BiConsumer<List<EvalQuestion>, List<String>> sink) {
        if (todo.isEmpty()) {
            return;
        }
        Map<String, EvalQuestion> byId = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (EvalQuestion q : todo) {
            byId.put(q.id(), q);
            ids.add(q.id());
        }
        int parts = partitions > 0 ? Math.min(partitions, ids.size())
                : (ids.size() + spec.batchSize() - 1) / spec.batchSize();
        JavaRDD<String> rdd = spark.parallelize(ids, parts);
        Delivery delivery = new Delivery(byId, sink);
        @SuppressWarnings("unchecked")
        ClassTag<ArrayList<String[]>> tag = (ClassTag<ArrayList<String[]>>) (ClassTag<?>) ClassTag$.MODULE$.apply(
                ArrayList.class);
        try {
            spark.sc().runJob(rdd.rdd(), new EvalTask(spec.withMaxNewTokens(maxNewTokens)), delivery, tag);
        } catch (Exception e) {
            int kept = delivery.flushAll();
            throw new InvalidInputException("distributed eval stopped: " + TaskError.describe(e) + " (" + kept
                    + " of " + ids.size() + " answers of this run kept in predictions.jsonl; a rerun answers only the"
                    + " rest)");
        }
    }

    /** Takes finished partitions on the driver (Spark's scheduler thread) and passes them on in partition order. */
    private static final class Delivery extends AbstractFunction2<Object, ArrayList<String[]>, BoxedUnit> {
        private final Map<String, EvalQuestion> byId;
        private final BiConsumer<List<EvalQuestion>, List<String>> sink;
        private final TreeMap<Integer, ArrayList<String[]>> held = new TreeMap<>();
        private int next;
        private int delivered;

        Delivery(Map<String, EvalQuestion> byId, BiConsumer<List<EvalQuestion>, List<String>> sink) {
            this.byId = byId;
            this.sink = sink;
        }

        @Override
        public synchronized BoxedUnit apply(Object partition, ArrayList<String[]> answers) {
            held.put((Integer) partition, answers);
            while (held.containsKey(next)) {
                deliver(held.remove(next));
                next++;
            }
            return BoxedUnit.UNIT;
        }

        /** Passes on every finished partition still held (after a failure: out of order); how many answers so far. */
        synchronized int flushAll() {
            while (!held.isEmpty()) {
                deliver(held.pollFirstEntry().getValue());
            }
            return delivered;
        }

        private void deliver(ArrayList<String[]> answers) {
            List<EvalQuestion> qs = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            for (String[] a : answers) {
                EvalQuestion q = byId.get(a[0]);
                if (q == null) {
                    throw new IllegalStateException("an executor answered question " + a[0] + ", which was not asked");
                }
                qs.add(q);
                texts.add(a[1]);
            }
            if (!qs.isEmpty()) {
                sink.accept(qs, texts);
                delivered += qs.size();
            }
        }
    }
}
