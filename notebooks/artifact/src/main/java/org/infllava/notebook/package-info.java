/**
 * The toolkit as notebooks load it: {@link org.infllava.notebook.Notebooks#setup()} connects the toolkit's rich
 * display (XChart charts as PNG, Tablesaw tables as HTML) to whichever Java kernel runs the notebook, IJava or the
 * bundled {@code toolkit-kernel}. This module's artifact, {@code org.infllava:toolkit-notebook}, is one shaded jar.
 */
package org.infllava.notebook;
