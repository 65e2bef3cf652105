package org.infllava.eval;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.infllava.io.ImageFiles;

/**
 * One question to put to a model.
 *
 * @param id the benchmark's question id (what predictions files key on)
 * @param prompt the user turn's text; an {@code <image>} placeholder is put first when it has none
 * @param imageFile the image file, or {@code null} when the image lives inside the data file (MMBench)
 * @param image decodes the image (called when the question is answered)
 */
public record EvalQuestion(String id, String prompt, Path imageFile, Supplier<BufferedImage> image) {

    /** A question about an image file. */
    public static EvalQuestion ofFile(String id, String prompt, Path imageFile) {
        return new EvalQuestion(id, prompt, imageFile, () -> ImageFiles.read(imageFile));
    }
}
