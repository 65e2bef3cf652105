package org.infllava.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded synthetic high-resolution scene with detail that only survives at full resolution: small glyphs, 1-pixel
 * lines and a fine checkerboard, over a smooth background with a few large shapes (the global layout).
 *
 * <p>Deterministic for a given size and seed. The scene records where it put its glyphs, so a picture or a test can
 * point at them.
 */
public final class SyntheticScene {

    /**
     * One small glyph drawn in the scene.
     *
     * @param text the character
     * @param x left of its box
     * @param y top of its box
     * @param size box side in pixels
     * @param rgb colour, packed
     */
    public record Glyph(String text, int x, int y, int size, int rgb) {}

    private final BufferedImage image;
    private final List<Glyph> glyphs;

    private SyntheticScene(BufferedImage image, List<Glyph> glyphs) {
        this.image = image;
        this.glyphs = List.copyOf(glyphs);
    }

    /** The scene as an RGB image. */
    public BufferedImage image() {
        return image;
    }

    /** The glyphs, in drawing order. */
    public List<Glyph> glyphs() {
        return glyphs;
    }

    /**
     * Renders a {@code width × height} scene.
     *
     * @param glyphSize glyph box side in pixels (e.g. 10: legible at full resolution, a smudge after a 3× reduction)
     */
    public static SyntheticScene render(int width, int height, int glyphSize, long seed) {
        if (width < 8 || height < 8 || glyphSize < 4) {
            throw new IllegalArgumentException("scene too small: " + width + "x" + height + ", glyphSize " + glyphSize);
        }
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
            // Smooth vertical gradient background.
            for (int y = 0; y < height; y++) {
                float t = (float) y / height;
                g.setColor(new Color(0.85f - 0.25f * t, 0.88f - 0.2f * t, 0.95f - 0.1f * t));
                g.drawLine(0, y, width - 1, y);
            }
            // Global layout: a few large soft shapes.
            for (int i = 0; i < 4; i++) {
                g.setColor(new Color(r.nextInt(200), r.nextInt(200), r.nextInt(200)));
                int s = Math.max(4, Math.min(width, height) / (3 + r.nextInt(3)));
                int x = r.nextInt(Math.max(1, width - s));
                int y = r.nextInt(Math.max(1, height - s));
                if (i % 2 == 0) {
                    g.fillOval(x, y, s, s);
                } else {
                    g.fillRect(x, y, s, s / 2);
                }
            }
            // Fine detail 1: a checkerboard of 1-pixel cells in one corner region.
            int cb = Math.max(4, Math.min(width, height) / 8);
            for (int y = 0; y < cb; y++) {
                for (int x = 0; x < cb; x++) {
                    img.setRGB(width - cb + x, height - cb + y, ((x + y) & 1) == 0 ? 0x000000 : 0xFFFFFF);
                }
            }
            // Fine detail 2: 1-pixel lines.
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.DARK_GRAY);
            for (int i = 0; i < 12; i++) {
                int x = r.nextInt(width);
                int y = r.nextInt(height);
                g.drawLine(x, y, x + r.nextInt(width / 4 + 1), y + r.nextInt(height / 8 + 1));
            }
            // Fine detail 3: small glyphs.
            List<Glyph> glyphs = new ArrayList<>();
            String alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
            g.setFont(new Font(Font.MONOSPACED, Font.BOLD, glyphSize));
            int count = Math.max(1, (width / (glyphSize * 6)) * (height / (glyphSize * 6)));
            for (int i = 0; i < count; i++) {
                String t = String.valueOf(alphabet.charAt(r.nextInt(alphabet.length())));
                int x = r.nextInt(Math.max(1, width - glyphSize));
                int y = r.nextInt(Math.max(1, height - glyphSize));
                int rgb = r.nextBoolean() ? 0x101010 : 0xB00000;
                g.setColor(new Color(0xF0F0F0));
                g.fillRect(x, y, glyphSize, glyphSize);
                g.setColor(new Color(rgb));
                g.drawString(t, x + 1, y + glyphSize - 2);
                glyphs.add(new Glyph(t, x, y, glyphSize, rgb));
            }
            return new SyntheticScene(img, glyphs);
        } finally {
            g.dispose();
        }
    }
}
