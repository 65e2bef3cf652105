/**
 * An IJava-compatible Jupyter kernel for Java: JShell evaluated in process on a dedicated thread (so that
 * {@code interrupt} stops runaway cells), IJava's line magics ({@code %jars}, {@code %classpath}, {@code %maven}
 * resolved offline from the local Maven repository) and rich display of images (charts and tables:
 * once a notebook calls {@code org.infllava.notebook.Notebooks.setup()} from {@code toolkit-notebook}).
 * Built on {@code io.github.spencerpark:jupyter-jvm-basekernel}, IJava's own base; it depends on no toolkit module.
 */
package org.infllava.kernel;
