package org.infllava.kernel;

import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * The kernel's own rich display: {@link BufferedImage} (and, through the base kernel, any {@link RenderedImage}) as
 * {@code image/png}; everything else as {@code text/plain} ({@code String.valueOf}). Charts and tables are the
 * toolkit's: a notebook's first cell, {@code org.infllava.notebook.Notebooks.setup()} from
 * {@code org.infllava:toolkit-notebook}, registers XChart charts as {@code image/png} and Tablesaw tables as
 * {@code text/html} with this kernel's renderer as it does with IJava's. The kernel itself depends on neither library.
 */
public final class Renderers {

    private Renderers() {
    }

    /** Registers the renderers on a base-kernel renderer. */
    public static void registerAll(Renderer renderer) {
        renderer.createRegistration(BufferedImage.class)
                .preferring(MIMEType.IMAGE_PNG)
                .register((img, ctx) -> {
                    ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> base64(png(img)));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> describe(img));
                });
    }

    /** The PNG bytes of an image. */
    public static byte[] png(RenderedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", out)) {
                throw new IllegalArgumentException("no PNG writer for image type " + img.getClass().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static String describe(BufferedImage img) {
        return "BufferedImage[" + img.getWidth() + "x" + img.getHeight() + "]";
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
