package org.infllava.testing;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One PyTorch {@link NDManager} per test class, opened before its tests and closed after:
 * {@code @RegisterExtension static final PyTorchManager PYTORCH = new PyTorchManager();}. Shared by every module's
 * tests through toolkit-crop's test jar.
 */
public final class PyTorchManager implements BeforeAllCallback, AfterAllCallback {

    private NDManager manager;

    /** The class's manager; tests take sub-managers of it. */
    public NDManager get() {
        return manager;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        manager.close();
    }
}
