package org.infllava.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.pytorch.jni.JniUtils;
import org.infllava.testing.PyTorchManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The thread scope: one thread for small work, the configured count for large work, restored on close. */
class IntraOpThreadsTest {

    @RegisterExtension
    static final PyTorchManager PYTORCH = new PyTorchManager();

    @Test
    void smallWorkRunsOnOneThreadAndTheCountComesBack() {
        PYTORCH.get();
        int configured = JniUtils.getNumThreads();
        try {
            JniUtils.setNumThreads(2); // the test needs more than one to see a change
            try (IntraOpThreads t = IntraOpThreads.forFlops(IntraOpThreads.SMALL_FLOPS - 1)) {
                assertEquals(1, JniUtils.getNumThreads());
            }
            assertEquals(2, JniUtils.getNumThreads());
            try (IntraOpThreads t = IntraOpThreads.forFlops(IntraOpThreads.SMALL_FLOPS)) {
                assertEquals(2, JniUtils.getNumThreads());
            }
            assertEquals(2, JniUtils.getNumThreads());
        } finally {
            JniUtils.setNumThreads(configured);
        }
    }
}
