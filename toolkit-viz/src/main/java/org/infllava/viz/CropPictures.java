package org.infllava.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.infllava.crop.CropGrid;
import org.infllava.crop.CropViews;
import org.infllava.crop.DualCrops;
import org.infllava.crop.Perspective;
import org.infllava.crop.PixelBox;
import org.infllava.crop.ViewLayout;
import org.infllava.crop.ViewRole;
import org.infllava.crop.ViewSlot;

/**
 * Pictures of a dual-perspective crop: the local tiles drawn over the canvas, and a mosaic of the sub-images of one
 * perspective side by side (global sub-images each look like the whole scene, shifted by less than a pixel of the
 * low-resolution view; local ones are the pieces of a puzzle). For any crop strategy ({@link ViewLayout}):
 * {@link #views} outlines every view's source box over the source image, {@link #strip} lays the views side by side
 * in encoder order.
 */
public final class CropPictures {

    private CropPictures() {}

    /**
     * The canvas with the local tiles outlined and numbered ({@code k = n_W·row + col}), and the pixels of global
     * sub-image {@code highlightGlobal} marked in the top-left tile region (every {@code n_W}-th column, {@code n_H}-th
     * row, eq. (17)).
     */
    public static BufferedImage overlay(DualCrops crops, int highlightGlobal) {
        BufferedImage canvas = crops.canvas();
        CropGrid g = crops.plan().grid();
        BufferedImage out = new BufferedImage(canvas.getWidth(), canvas.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = out.createGraphics();
        try {
            gr.drawImage(canvas, 0, 0, null);
            int i = g.rowOf(highlightGlobal);
            int j = g.colOf(highlightGlobal);
            int reach = Math.min(g.subWidth(), g.subHeight()) / 3;
            for (int y = i; y < Math.min(canvas.getHeight(), reach * g.rows()); y += g.rows()) {
                for (int x = j; x < Math.min(canvas.getWidth(), reach * g.columns()); x += g.columns()) {
                    out.setRGB(x, y, 0xFF00FF);
                }
            }
            gr.setStroke(new BasicStroke(Math.max(1f, canvas.getWidth() / 300f)));
            gr.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, g.subHeight() / 8)));
            for (int k = 0; k < g.count(); k++) {
                int x = g.colOf(k) * g.subWidth();
                int y = g.rowOf(k) * g.subHeight();
                gr.setColor(new Color(255, 200, 0));
                gr.drawRect(x, y, g.subWidth() - 1, g.subHeight() - 1);
                gr.drawString("L" + k, x + 6, y + g.subHeight() / 8 + 4);
            }
        } finally {
            gr.dispose();
        }
        return out;
    }

    /** The sub-images of one perspective laid out on their grid with a {@code gap}-pixel white border. */
    public static BufferedImage mosaic(DualCrops crops, Perspective perspective, int gap) {
        CropGrid g = crops.plan().grid();
        List<BufferedImage> subs = crops.subImages(perspective);
        if (subs.isEmpty()) {
            throw new IllegalArgumentException("the plan has no " + perspective.id() + " sub-images");
        }
        int w = g.columns() * (g.subWidth() + gap) + gap;
        int h = g.rows() * (g.subHeight() + gap) + gap;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = out.createGraphics();
        try {
            gr.setColor(Color.WHITE);
            gr.fillRect(0, 0, w, h);
            for (int k = 0; k < subs.size(); k++) {
                gr.drawImage(subs.get(k), gap + g.colOf(k) * (g.subWidth() + gap),
                        gap + g.rowOf(k) * (g.subHeight() + gap), null);
            }
        } finally {
            gr.dispose();
        }
        return out;
    }

    /**
     * One outline {@link #views} draws: view {@code index} of {@code role}, its box scaled to the picture, its colour.
     *
     * @param index the view's index in encoder order
     * @param role its role
     * @param x0 left edge in picture pixels
     * @param y0 top edge in picture pixels
     * @param x1 right edge (exclusive)
     * @param y1 bottom edge (exclusive)
     * @param rgb the outline colour
     */
    public record Outline(int index, ViewRole role, int x0, int y0, int x1, int y1, int rgb) {}

    /** The outline colour of a role: whole-image views blue, tiles and local views orange, scales by scale. */
    public static int color(ViewRole role) {
        return switch (role.kind()) {
            case BASE, LOW_RES -> 0x1E64FF;
            case THUMBNAIL -> 0x00B4C8;
            case TILE, LOCAL -> 0xFFA000;
            case GLOBAL -> 0xC800C8;
            case SCALE -> new int[] {0x1E64FF, 0x00C850, 0xFFA000, 0xE03030}[Math.min(3, role.scale() - 1)];
        };
    }

    /**
     * The outlines {@link #views} draws for {@code layout} on a picture {@code scale} times the source: one per view
     * with a box (a DCM global sub-image has none: it samples the whole image on a stride), in encoder order.
     */
    public static List<Outline> outlines(ViewLayout layout, double scale) {
        List<Outline> out = new ArrayList<>();
        for (int i = 0; i < layout.count(); i++) {
            ViewSlot s = layout.slots().get(i);
            PixelBox b = s.box();
            if (b != null) {
                out.add(new Outline(i, s.role(), (int) Math.round(b.x0() * scale), (int) Math.round(b.y0() * scale),
                        (int) Math.round(b.x1() * scale), (int) Math.round(b.y1() * scale), color(s.role())));
            }
        }
        return out;
    }

    /**
     * The source image, resized so its longer side is {@code side} pixels, with every view's box outlined in its
     * role's colour ({@link #outlines}) and labelled {@code index:role}; nested boxes are inset by their order so
     * that a whole-image view and a tile along the same edge both show.
     *
     * @param source the image the layout was made for ({@code layout.sourceWidth() × sourceHeight()})
     */
    public static BufferedImage views(ViewLayout layout, BufferedImage source, int side) {
        if (source.getWidth() != layout.sourceWidth() || source.getHeight() != layout.sourceHeight()) {
            throw new IllegalArgumentException("the layout of " + layout.strategy() + " is for a "
                    + layout.sourceWidth() + "x" + layout.sourceHeight() + " source, got " + source.getWidth() + "x"
                    + source.getHeight());
        }
        double scale = (double) side / Math.max(source.getWidth(), source.getHeight());
        int w = Math.max(1, (int) Math.round(source.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(source.getHeight() * scale));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = out.createGraphics();
        try {
            gr.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                    java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            gr.drawImage(source, 0, 0, w, h, null);
            gr.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(9, side / 40)));
            for (Outline o : outlines(layout, scale)) {
                gr.setColor(new Color(o.rgb()));
                gr.setStroke(new BasicStroke(2f));
                int x1 = Math.min(w, o.x1()) - 1;
                int y1 = Math.min(h, o.y1()) - 1;
                gr.drawRect(o.x0(), o.y0(), Math.max(0, x1 - o.x0()), Math.max(0, y1 - o.y0()));
                gr.drawString(o.index() + ":" + o.role().label(), o.x0() + 4, o.y0() + Math.max(9, side / 40) + 2);
            }
        } finally {
            gr.dispose();
        }
        return out;
    }

    /** The views of one image side by side in encoder order, wrapped after {@code perRow}, with {@code gap} white pixels. */
    public static BufferedImage strip(CropViews views, int perRow, int gap) {
        if (perRow < 1 || gap < 0) {
            throw new IllegalArgumentException("perRow must be >= 1 and gap >= 0, got " + perRow + ", " + gap);
        }
        int n = views.count();
        int vw = views.layout().viewWidth();
        int vh = views.layout().viewHeight();
        int cols = Math.min(perRow, n);
        int rows = (n + cols - 1) / cols;
        int w = cols * (vw + gap) + gap;
        int h = rows * (vh + gap) + gap;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D gr = out.createGraphics();
        try {
            gr.setColor(Color.WHITE);
            gr.fillRect(0, 0, w, h);
            for (int k = 0; k < n; k++) {
                gr.drawImage(views.images().get(k), gap + (k % cols) * (vw + gap), gap + (k / cols) * (vh + gap), null);
            }
        } finally {
            gr.dispose();
        }
        return out;
    }
}
