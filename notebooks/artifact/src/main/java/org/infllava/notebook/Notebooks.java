package org.infllava.notebook;

import java.lang.reflect.Method;

/**
 * What a notebook's first cell calls, under either Java kernel:
 * <pre>{@code
 * %maven org.infllava:toolkit-notebook:0.1.0-SNAPSHOT
 * org.infllava.notebook.Notebooks.setup();
 * }</pre>
 * {@link #setup()} finds the kernel running the notebook by reflection (no compile dependency on either): the
 * bundled kernel ({@code org.infllava.kernel.JavaKernel.current()}) or IJava
 * ({@code io.github.spencerpark.ijava.IJava.getKernelInstance()}), and registers with that kernel's renderer (both
 * are {@code jupyter-jvm-basekernel} renderers) XChart charts as {@code image/png}, Tablesaw tables as
 * {@code text/html} plus {@code text/plain}, and {@code BufferedImage}s as {@code image/png} (see
 * {@link NotebookDisplay}). A cell whose value is a chart or a table then shows it as a picture or an HTML table, and
 * so does {@code display(x)} from either kernel.
 */
public final class Notebooks {

    /** The bundled kernel, then IJava: class name and the static method that returns the running kernel. */
    private static final String[][] KERNELS = {
        {"org.infllava.kernel.JavaKernel", "current", "toolkit-kernel"},
        {"io.github.spencerpark.ijava.IJava", "getKernelInstance", "IJava"},
    };

    private Notebooks() {
    }

    /**
     * Registers the toolkit's renderers with the kernel running this notebook; does nothing outside a kernel, and
     * nothing more when called again for the same kernel.
     */
    public static void setup() {
        Found k = find(Notebooks.class.getClassLoader());
        if (k != null) {
            NotebookDisplay.registerWith(k.instance());
        }
    }

    /** The kernel {@link #setup()} would register with: {@code "toolkit-kernel"}, {@code "IJava"} or {@code "none"}. */
    public static String kernel() {
        Found k = find(Notebooks.class.getClassLoader());
        return k == null ? "none" : k.name();
    }

    private record Found(String name, Object instance) {
    }

    private static Found find(ClassLoader loader) {
        for (String[] k : KERNELS) {
            try {
                Class<?> c = Class.forName(k[0], false, loader);
                Method current = c.getMethod(k[1]);
                Object instance = current.invoke(null);
                if (instance != null) {
                    return new Found(k[2], instance);
                }
            } catch (ReflectiveOperationException | LinkageError e) {
                // that kernel is not in this JVM
            }
        }
        return null;
    }
}
