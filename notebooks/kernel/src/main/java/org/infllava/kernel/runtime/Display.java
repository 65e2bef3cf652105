package org.infllava.kernel.runtime;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.util.UUID;
import org.infllava.kernel.JavaKernel;

/**
 * {@code display(...)} for notebook code, statically imported into every session as IJava imports its
 * {@code io.github.spencerpark.ijava.runtime.Display}, so {@code display(img)} runs unchanged under both kernels.
 */
public final class Display {

    private Display() {
    }

    /**
     * Shows an object in the cell's output now (images as PNG; charts as PNG and tables as HTML
     * once {@code Notebooks.setup()} ran; else text).
     *
     * @return the display id, for {@link #updateDisplay(String, Object)}
     * @throws IllegalStateException outside a running kernel
     */
    public static String display(Object o) {
        JavaKernel kernel = kernel();
        return show(kernel, kernel.getRenderer().render(o));
    }

    /** Shows an object rendered as the given MIME types ({@code "text/html"}, {@code "image/png"}, ...). */
    public static String display(Object o, String... as) {
        JavaKernel kernel = kernel();
        return show(kernel, kernel.getRenderer().renderAs(o, as));
    }

    /** Sends {@code data} with a display id (a new one when it has none) and returns the id. */
    private static String show(JavaKernel kernel, DisplayData data) {
        String id = data.getDisplayId();
        if (id == null) {
            id = UUID.randomUUID().toString();
            data.setDisplayId(id);
        }
        kernel.display(data);
        return id;
    }

    /** Replaces an earlier display with a rendering of {@code o}. */
    public static void updateDisplay(String id, Object o) {
        JavaKernel kernel = kernel();
        kernel.getIO().display.updateDisplay(id, kernel.getRenderer().render(o));
    }

    private static JavaKernel kernel() {
        JavaKernel k = JavaKernel.current();
        if (k == null) {
            throw new IllegalStateException("display(...) needs a running Java kernel");
        }
        return k;
    }
}
