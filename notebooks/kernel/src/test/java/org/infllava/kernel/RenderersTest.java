package org.infllava.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class RenderersTest {

    private static Renderer renderer() {
        Renderer r = new Renderer();
        Renderers.registerAll(r);
        return r;
    }

    private static BufferedImage decode(Object base64) throws Exception {
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) base64)));
    }

    @Test
    void bufferedImageBecomesAPngWithTheSamePixels() throws Exception {
        BufferedImage img = new BufferedImage(7, 5, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                img.setRGB(x, y, (x * 36) << 16 | (y * 50) << 8 | (x + y) * 10);
            }
        }
        DisplayData d = renderer().render(img);
        BufferedImage back = decode(d.getData(MIMEType.IMAGE_PNG));
        assertEquals(7, back.getWidth());
        assertEquals(5, back.getHeight());
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                assertEquals(img.getRGB(x, y), back.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        assertEquals("BufferedImage[7x5]", d.getData(MIMEType.TEXT_PLAIN));
    }
}
