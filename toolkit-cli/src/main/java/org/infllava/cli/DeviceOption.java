package org.infllava.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.infllava.model.Devices;
import picocli.CommandLine.Option;

/**
 * {@code --device cpu|gpu|gpu:N|auto}, shared by every command that computes: the model and its inputs are created
 * in a manager on that device. A GPU that is not visible is a one-line error and exit 2 (see {@link Devices}).
 */
public final class DeviceOption {

    @Option(names = "--device", defaultValue = "auto", paramLabel = "cpu|gpu|gpu:N|auto",
            description = "Where to compute (default: ${DEFAULT-VALUE}: the first GPU when one is visible, else the "
                    + "CPU). A GPU that is not there is an error.")
    String device = "auto";

    /** The device asked for, checked. */
    public Device device() {
        return Devices.device(device);
    }

    /** A base manager on that device. */
    public NDManager newManager() {
        return NDManager.newBaseManager(device(), "PyTorch");
    }
}
