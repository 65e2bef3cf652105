package org.infllava.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** What the driver says when a job fails: the executor's one line, with or without the exception object. */
class TaskErrorTest {

    @Test
    void theExecutorsLineComesFromTheCauseOrFromSparksMessage() {
        String line = "executor 3 on node-7: question 9: /data/x.png: not a supported image";
        SparkException withCause = new SparkException("Job aborted due to stage failure: ...", new TaskError(line));
        assertEquals(line, TaskError.describe(withCause));
        // An executor whose exception did not reach the driver: Spark's message carries its class and message.
        SparkException textOnly = new SparkException("Job aborted due to stage failure: Task 4 in stage 7.0 failed 4 "
                + "times, most recent failure: Lost task 4.3 (TID 26) (node-7 executor 3): " + TaskError.class.getName()
                + ": " + line + "\n\tat org.infllava.spark.EvalTask.apply(EvalTask.java:70)\n");
        assertEquals(line, TaskError.describe(textOnly));
        SparkException lost = new SparkException("Job aborted due to stage failure: Task 2 in stage 1.0 failed 4 "
                + "times, most recent failure: ExecutorLostFailure (executor 5 exited caused by one of the running "
                + "tasks) Reason: Container killed\nDriver stacktrace:");
        assertEquals("Job aborted due to stage failure: Task 2 in stage 1.0 failed 4 times, most recent failure: "
                + "ExecutorLostFailure (executor 5 exited caused by one of the running tasks) Reason: Container killed",
                TaskError.describe(lost));
    }
}
