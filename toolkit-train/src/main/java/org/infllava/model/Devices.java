package org.infllava.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.infllava.io.InvalidInputException;

/**
 * Device names as the command line and run configs give them: {@code cpu}, {@code gpu} (the first GPU),
 * {@code gpu:N}, {@code auto} (the engine's default: a GPU when one is visible), or a comma-separated list of these
 * for data parallelism ({@code gpu:0,gpu:1}; {@code cpu,cpu} gives two replicas on the CPU).
 *
 * <p>DJL's {@code Device.gpu()} answers {@code gpu(0)} even on a machine without one; a GPU asked for here is checked
 * against the engine's GPU count and refused with an {@link InvalidInputException} (exit 2 on the command line).
 */
public final class Devices {

    private Devices() {}

    /** Whether {@code spec} is a well-formed device list (no GPU check). */
    public static boolean isWellFormed(String spec) {
        try {
            parse(spec, () -> Integer.MAX_VALUE);
            return true;
        } catch (InvalidInputException e) {
            return false;
        }
    }

    /** One device ({@code cpu}, {@code gpu}, {@code gpu:N}, {@code auto}); a list is refused here. */
    public static Device device(String spec) {
        List<Device> all = list(spec);
        if (all.size() != 1) {
            throw new InvalidInputException("--device " + spec + ": this command runs on one device, got " + all.size());
        }
        return all.get(0);
    }

    /** The devices of a comma-separated list, checked against the GPUs the engine sees. */
    public static List<Device> list(String spec) {
        return parse(spec, () -> Engine.getInstance().getGpuCount());
    }

    /**
     * Parses with an injectable GPU count (tests).
     *
     * @throws InvalidInputException naming the spec: unknown name, bad index, or a GPU that is not there
     */
    public static List<Device> parse(String spec, IntSupplier gpuCount) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidInputException("--device: empty; use cpu, gpu, gpu:N or auto");
        }
        List<Device> out = new ArrayList<>();
        for (String raw : spec.split(",", -1)) {
            String s = raw.strip().toLowerCase(java.util.Locale.ROOT);
            if (s.equals("cpu")) {
                out.add(Device.cpu());
            } else if (s.equals("auto")) {
                out.add(gpuCount.getAsInt() > 0 ? Device.gpu(0) : Device.cpu());
            } else if (s.equals("gpu") || s.startsWith("gpu:")) {
                int index;
                try {
                    index = s.equals("gpu") ? 0 : Integer.parseInt(s.substring(4));
                } catch (NumberFormatException e) {
                    throw new InvalidInputException("--device " + spec + ": '" + raw + "' is not gpu:N with N a number");
                }
                int visible = gpuCount.getAsInt();
                if (index < 0 || index >= visible) {
                    throw new InvalidInputException("--device " + spec + ": " + (visible == 0
                            ? "no GPU is visible to the PyTorch engine (CPU natives, or no CUDA driver; see docs/gpu.md)"
                            : "gpu:" + index + " asked for but only " + visible + " GPU(s) are visible"));
                }
                out.add(Device.gpu(index));
            } else {
                throw new InvalidInputException("--device " + spec + ": unknown device '" + raw
                        + "'; use cpu, gpu, gpu:N or auto (comma-separated for several)");
            }
        }
        return out;
    }
}
