package org.infllava.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.infllava.crop.CropGrid;
import org.infllava.crop.DualCrops;
import org.infllava.crop.Perspective;

/**
 * Pictures of a dual-perspective crop: the local tiles drawn over the canvas, and a mosaic of the sub-images of one
 * perspective side by side (global sub-images each look like the whole scene, shifted by less than a pixel of the
 * low-resolution view; local ones are the pieces of a puzzle).
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
}
