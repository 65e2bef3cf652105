package org.infllava.data.synth;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A HiResSynth scene as data: small objects on a {@code cells × cells} layout grid, each in its own cell, some of them
 * glyph tiles. A small shape is filled either plainly, with the half-way blend of its colour and white, or with a
 * one-pixel checkerboard of its colour and white: the same mean colour, so that the pattern is fine detail — it
 * survives at native scale (and in strided sub-images, whose odd stride keeps the checkerboard's parity) but
 * antialiased downsampling averages it away (3× PIL-bicubic: at most 3.6 of 255 levels from the plain fill).
 * Resolution-independent: {@link #render(int)} draws it at any size, so the same scene serves a resolution sweep.
 * Regions for questions are the 3×3 coarse areas ("top left" … "bottom right").
 *
 * @param cells layout grid side (objects sit in distinct cells)
 * @param objects the objects
 */
public record Scene(int cells, List<Item> objects) {

    /** Object shapes. */
    public enum Shape { SQUARE, DISC, TRIANGLE, GLYPH }

    /** Object colours. */
    public enum Hue {
        RED(new Color(210, 30, 30)), GREEN(new Color(30, 160, 50)), BLUE(new Color(40, 70, 210)),
        YELLOW(new Color(225, 200, 30)), PURPLE(new Color(130, 40, 170));

        final Color rgb;

        Hue(Color rgb) {
            this.rgb = rgb;
        }

        /** Lower-case name, as in questions and answers. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One object.
     *
     * @param shape its shape ({@code GLYPH}: a light tile with a character)
     * @param hue its colour (the character's colour for glyphs)
     * @param row layout row
     * @param col layout column
     * @param glyph the character of a glyph tile, else 0
     * @param checkered whether a small shape is filled with the checkerboard (else plainly)
     */
    public record Item(Shape shape, Hue hue, int row, int col, char glyph, boolean checkered) {

        /** A plainly filled object. */
        public Item(Shape shape, Hue hue, int row, int col, char glyph) {
            this(shape, hue, row, col, glyph, false);
        }

        /** The 3×3 region name: "top left", "middle center", ... */
        public String region(int cells) {
            String[] rows = {"top", "middle", "bottom"};
            String[] cols = {"left", "center", "right"};
            return rows[row * 3 / cells] + " " + cols[col * 3 / cells];
        }

        /** Shape word for questions ("square", "disc", "triangle"). */
        public String shapeWord() {
            return shape.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Where {@code o} is drawn in a {@code size × size} rendering: {@code {x, y, w}} of its square box. Small shapes
     * take 45 % of a layout cell, glyph tiles 80 % of one (so that their characters are legible at full resolution).
     */
    public int[] box(Item o, int size) {
        double cell = (double) size / cells;
        int w = Math.max(2, (int) Math.round(cell * (o.shape() == Shape.GLYPH ? 0.8 : 0.45)));
        int x = (int) Math.round(o.col() * cell + (cell - w) / 2);
        int y = (int) Math.round(o.row() * cell + (cell - w) / 2);
        return new int[] {x, y, w};
    }

    /** Draws the scene at {@code size × size}; each object in its {@link #box}. */
    public BufferedImage render(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(238, 236, 230));
            g.fillRect(0, 0, size, size);
            for (Item o : objects) {
                int[] box = box(o, size);
                int x = box[0];
                int y = box[1];
                int w = box[2];
                if (o.shape() != Shape.GLYPH) {
                    g.setPaint(o.checkered() ? checkerboard(o.hue()) : plain(o.hue()));
                }
                switch (o.shape()) {
                    case SQUARE -> g.fillRect(x, y, w, w);
                    case DISC -> g.fillOval(x, y, w, w);
                    case TRIANGLE -> g.fillPolygon(new int[] {x, x + w / 2, x + w}, new int[] {y + w, y, y + w}, 3);
                    case GLYPH -> {
                        g.setColor(Color.WHITE);
                        g.fillRect(x, y, w, w);
                        g.setColor(o.hue().rgb);
                        g.setFont(new Font(Font.MONOSPACED, Font.BOLD, Math.max(4, (int) (w * 0.9))));
                        g.drawString(String.valueOf(o.glyph()), x + w / 8, y + (int) (w * 0.85));
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** The plain fill: the half-way blend of {@code hue} and white, the checkerboard's mean colour. */
    static Color plain(Hue hue) {
        return new Color((hue.rgb.getRed() + 256) / 2, (hue.rgb.getGreen() + 256) / 2, (hue.rgb.getBlue() + 256) / 2);
    }

    /** A one-pixel checkerboard of {@code hue} (where x + y is even) and white, anchored at the image origin. */
    static java.awt.TexturePaint checkerboard(Hue hue) {
        BufferedImage tile = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        tile.setRGB(0, 0, hue.rgb.getRGB());
        tile.setRGB(1, 1, hue.rgb.getRGB());
        tile.setRGB(1, 0, Color.WHITE.getRGB());
        tile.setRGB(0, 1, Color.WHITE.getRGB());
        return new java.awt.TexturePaint(tile, new java.awt.Rectangle(0, 0, 2, 2));
    }
}
