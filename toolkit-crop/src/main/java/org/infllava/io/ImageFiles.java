package org.infllava.io;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import org.infllava.crop.ClipPreprocessor;

/**
 * Reading and writing image files with clear errors.
 *
 * <p>{@link #read(Path, long)} checks the file before decoding: an empty file, a file no image reader recognises, or
 * an image whose header announces more pixels than the limit is refused without decoding a pixel. Decoder warnings
 * (a truncated JPEG, which ImageIO would otherwise fill with grey) are errors. CMYK and YCCK JPEGs, which ImageIO
 * cannot turn into a {@code BufferedImage}, are read as rasters and converted to RGB here. Three-component JPEGs
 * are read as rasters too and converted with libjpeg's own YCbCr → RGB arithmetic, without colour management, so an
 * embedded ICC profile (Adobe RGB, Display P3, ...) is ignored as Pillow ignores it: ImageIO alone would convert such
 * photographs to sRGB and every view cut from them would differ from the published Python preprocessing.
 */
public final class ImageFiles {

    /** Default pixel limit: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private ImageFiles() {}

    /** Reads an image with the default pixel limit; see {@link #read(Path, long)}. */
    public static BufferedImage read(Path file) {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads an image file as decoded (colour model untouched except CMYK, which becomes RGB).
     *
     * @param file a PNG, JPEG, BMP or GIF file
     * @param maxPixels the largest width × height accepted; checked from the header before decoding
     * @return the first image of the file
     * @throws InvalidInputException naming the file and the problem
     */
    public static BufferedImage read(Path file, long maxPixels) {
        if (!Files.exists(file)) {
            throw new InvalidInputException(file, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new InvalidInputException(file, "is a directory, not an image file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new InvalidInputException(file, "empty file (0 bytes), not an image");
            }
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, file, null, maxPixels);
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Decodes an image held in memory (a base64 column of a benchmark file) with the checks of {@link #read(Path,
     * long)}.
     *
     * @param what names the image in messages ({@code "MMBench index 3: image"})
     */
    public static BufferedImage decode(byte[] bytes, String what, long maxPixels) {
        if (bytes.length == 0) {
            throw new InvalidInputException(what + ": empty, not an image");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return decode(in, null, what, maxPixels);
        } catch (IOException e) {
            throw new InvalidInputException(what + ": cannot read: " + e.getMessage());
        }
    }

    /** The checks and the decoding; errors name {@code file}, or {@code what} when there is no file. */
    private static BufferedImage decode(ImageInputStream in, Path file, String what, long maxPixels) {
        java.util.function.Function<String, InvalidInputException> error =
                problem -> failure(file, what, problem, null);
        try {
            if (in == null) {
                throw error.apply("cannot open for reading");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw error.apply("not a supported image (PNG, JPEG, BMP or GIF expected)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw error.apply("image header gives an empty size " + width + "x" + height);
                }
                if (width * height > maxPixels) {
                    throw error.apply(String.format(
                            "image is %dx%d = %d pixels, above the limit of %d pixels (refused before decoding)",
                            width, height, width * height, maxPixels));
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage image = jpegSamples(reader);
                if (image == null) {
                    try {
                        image = reader.read(0);
                    } catch (IIOException e) {
                        if (isCmyk(e)) {
                            image = cmykToRgb(reader.readRaster(0, null), isYcck(reader), false);
                        } else {
                            throw e;
                        }
                    }
                }
                if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK) {
                    image = cmykToRgb(image.getRaster(), false, true);
                }
                if (!warnings.isEmpty()) {
                    throw error.apply("corrupt or truncated " + reader.getFormatName()
                            + " data: " + InvalidInputException.excerpt(warnings.get(0)));
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw failure(file, what, "corrupt or truncated image data: " + InvalidInputException.excerpt(why), e);
        }
    }

    private static InvalidInputException failure(Path file, String what, String problem, Throwable cause) {
        return file != null ? new InvalidInputException(file, problem, cause)
                : new InvalidInputException(null, what + ": " + problem, cause);
    }


    /** Reads an image file and converts it to 8-bit RGB as CLIP's pre-processing expects. */
    public static BufferedImage readRgb(Path file, long maxPixels) {
        return ClipPreprocessor.toRgb(read(file, maxPixels));
    }

    /** Writes a lossless PNG, atomically ({@link AtomicFiles#write}). */
    public static void writePng(BufferedImage image, Path file) {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new InvalidInputException(file, "no PNG writer for image type " + image.getType());
            }
        });
    }

    private static boolean isCmyk(IIOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Unsupported Image Type") || m.contains("Unsupported Color Conversion");
    }

    /**
     * CMYK or YCCK JPEG samples to RGB as Pillow's {@code cmyk2rgb} does: {@code R = nk − MULDIV255(C, nk)} with
     * {@code nk = 255 − K}, ink values in 0..255. {@code ImageIO.read} hands over ink values ({@code inkValues});
     * {@code readRaster} hands over the stored Adobe values, which are inverted ({@code 255 − ink}), and for YCCK
     * still in YCC.
     */
    private static BufferedImage cmykToRgb(Raster raster, boolean ycck, boolean inkValues) throws IOException {
        if (raster.getNumBands() != 4) {
            throw new IIOException("unsupported JPEG colour type with " + raster.getNumBands() + " channels");
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.getPixel(x, y, px);
                int c = px[0];
                int m = px[1];
                int ye = px[2];
                int k = px[3];
                if (ycck) {
                    // YCC -> RGB (JFIF), giving inverted CMY.
                    double yy = px[0];
                    double cb = px[1] - 128.0;
                    double cr = px[2] - 128.0;
                    c = clamp((int) Math.round(yy + 1.402 * cr));
                    m = clamp((int) Math.round(yy - 0.344136 * cb - 0.714136 * cr));
                    ye = clamp((int) Math.round(yy + 1.772 * cb));
                }
                if (!inkValues) { // stored Adobe values are inverted
                    c = 255 - c;
                    m = 255 - m;
                    ye = 255 - ye;
                    k = 255 - k;
                }
                int nk = 255 - k;
                int r = nk - mulDiv255(c, nk);
                int g = nk - mulDiv255(m, nk);
                int b = nk - mulDiv255(ye, nk);
                rgb.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return rgb;
    }

    /** A three-component JPEG decoded by {@link #jpegToRgb}; {@code null} for anything else. */
    private static BufferedImage jpegSamples(ImageReader reader) throws IOException {
        if (!"jpeg".equalsIgnoreCase(reader.getFormatName())) {
            return null;
        }
        ImageTypeSpecifier rawType = reader.getRawImageType(0);
        if (rawType == null || rawType.getNumBands() != 3) {
            return null;
        }
        return jpegToRgb(reader.readRaster(0, null), storedAsYcc(reader));
    }

    /**
     * Three-component JPEG samples to RGB as libjpeg (and so Pillow) converts them, without colour management:
     * ImageIO converts images with an embedded ICC profile (Adobe RGB, Display P3, ...) to sRGB, Pillow keeps the
     * decoded samples. YCbCr → RGB uses libjpeg's {@code jdcolor.c} fixed-point tables (16 fraction bits):
     * {@code R = Y + ((FIX(1.402)·Cr' + ½) >> 16)}, {@code G = Y + ((−FIX(0.34414)·Cb' − FIX(0.71414)·Cr' + ½) >> 16)},
     * {@code B = Y + ((FIX(1.772)·Cb' + ½) >> 16)} with {@code Cb' = Cb − 128}, clamped to 0..255.
     */
    private static BufferedImage jpegToRgb(Raster raster, boolean ycc) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] out = new int[w * h];
        int[] row = new int[3 * w];
        final int half = 1 << 15;
        final long fixR = fix(1.40200);
        final long fixB = fix(1.77200);
        final long fixGr = fix(0.71414);
        final long fixGb = fix(0.34414);
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int a = row[3 * x];
                int b = row[3 * x + 1];
                int c = row[3 * x + 2];
                int r;
                int g;
                int bl;
                if (ycc) {
                    long cb = b - 128;
                    long cr = c - 128;
                    r = clamp(a + (int) ((fixR * cr + half) >> 16));
                    g = clamp(a + (int) ((-fixGb * cb - fixGr * cr + half) >> 16));
                    bl = clamp(a + (int) ((fixB * cb + half) >> 16));
                } else {
                    r = a;
                    g = b;
                    bl = c;
                }
                out[y * w + x] = (r << 16) | (g << 8) | bl;
            }
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.getRaster().setDataElements(0, 0, w, h, out);
        return img;
    }

    private static long fix(double x) {
        return (long) (x * (1L << 16) + 0.5);
    }

    /**
     * Whether a three-component JPEG stores YCbCr (libjpeg's {@code default_decompress_parms}): a JFIF marker says
     * YCbCr; an Adobe marker says YCbCr unless its transform is 0; otherwise component ids 'R', 'G', 'B' mean RGB.
     */
    private static boolean storedAsYcc(ImageReader reader) throws IOException {
        var meta = reader.getImageMetadata(0);
        if (meta == null) {
            return true;
        }
        var tree = (org.w3c.dom.Element) meta.getAsTree("javax_imageio_jpeg_image_1.0");
        if (tree.getElementsByTagName("app0JFIF").getLength() > 0) {
            return true;
        }
        var adobe = tree.getElementsByTagName("app14Adobe");
        if (adobe.getLength() > 0) {
            return !"0".equals(((org.w3c.dom.Element) adobe.item(0)).getAttribute("transform"));
        }
        var comps = tree.getElementsByTagName("componentSpec");
        if (comps.getLength() == 3) {
            String ids = "";
            for (int i = 0; i < 3; i++) {
                ids += ((org.w3c.dom.Element) comps.item(i)).getAttribute("componentId") + ",";
            }
            return !ids.equals("82,71,66,");
        }
        return true;
    }

    /** Whether the JPEG's Adobe marker says YCCK (transform 2) rather than plain CMYK. */
    private static boolean isYcck(ImageReader reader) {
        try {
            if (reader.getImageMetadata(0) == null) {
                return false;
            }
            var tree = reader.getImageMetadata(0).getAsTree("javax_imageio_jpeg_image_1.0");
            var markers = ((org.w3c.dom.Element) tree).getElementsByTagName("app14Adobe");
            return markers.getLength() > 0
                    && "2".equals(((org.w3c.dom.Element) markers.item(0)).getAttribute("transform"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
