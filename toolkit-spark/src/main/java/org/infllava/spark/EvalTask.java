package org.infllava.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.infllava.eval.EvalQuestion;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

/**
 * An executor's share of a distributed evaluation: the question ids of one partition in, their answers out (pairs
 * {@code {id, text}} in partition order). The model and the questions come from the executor's {@link Workers}; the
 * task itself carries only the ids and the {@link EvalSpec}. Any failure reaches the driver as a {@link TaskError}
 * naming the executor, and the file or question at fault.
 */
final class EvalTask extends AbstractFunction1<Iterator<String>, ArrayList<String[]>> implements Serializable {

    private static final long serialVersionUID = 1L;

    private final EvalSpec spec;

    EvalTask(EvalSpec spec) {
        this.spec = spec;
    }

    @Override
    public ArrayList<String[]> apply(Iterator<String> ids) {
        List<String> todo = new ArrayList<>();
        while (ids.hasNext()) {
            todo.add(ids.next());
        }
        if (todo.isEmpty()) {
            return new ArrayList<>();
        }
        Workers.Worker worker;
        try {
            worker = Workers.model(spec);
        } catch (RuntimeException e) {
            throw new TaskError(Workers.where() + " cannot load the model directory " + spec.modelDir() + ": "
                    + e.getMessage());
        }
        List<EvalQuestion> questions = new ArrayList<>();
        try {
            Map<String, EvalQuestion> byId = Workers.questions(spec);
            for (String id : todo) {
                EvalQuestion q = byId.get(id);
                if (q == null) {
                    throw new TaskError(Workers.where() + ": " + spec.data() + ": question " + id + " is not in the "
                            + "data this executor reads (is the file the same on every machine?)");
                }
                questions.add(q);
            }
        } catch (TaskError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TaskError(Workers.where() + " cannot read the benchmark: " + e.getMessage());
        }
        List<String> answers;
        try {
            answers = worker.evaluator().answer(questions, spec.maxNewTokens());
        } catch (RuntimeException e) {
            throw new TaskError(Workers.where() + ": " + e.getMessage());
        }
        ArrayList<String[]> out = new ArrayList<>();
        for (int i = 0; i < todo.size(); i++) {
            out.add(new String[] {todo.get(i), answers.get(i)});
        }
        return out;
    }
}
