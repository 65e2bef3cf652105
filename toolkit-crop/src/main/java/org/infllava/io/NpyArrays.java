package org.infllava.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0/2.0, C order): the exchange format with Python. {@link #read} takes float32
 * only; {@link #readConverting} also takes {@code <f8 |u1 <i4 <i8}; big-endian, Fortran order and other dtypes are
 * refused with a message naming the file. Writes {@code <f4}.
 */
public final class NpyArrays {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private NpyArrays() {}

    /**
     * Reads a float32 {@code .npy} file ({@code <f4}, C order): the exchange format with Python. Any other dtype is
     * refused with a message naming the file, the dtype found and the fix.
     */
    public static HostTensor read(Path file) {
        return read(file, true);
    }

    /** Reads {@code <f4 <f8 |u1 <i4 <i8} (C order) and converts the values to float, for test fixtures and tools. */
    public static HostTensor readConverting(Path file) {
        return read(file, false);
    }

    private static HostTensor read(Path file, boolean float32Only) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC)) {
            throw new InvalidInputException(file, "not a .npy file (bad magic)");
        }
        int major = all[6];
        if (major < 1 || major > 3) {
            throw new InvalidInputException(file, "unsupported .npy format version " + major
                    + " (1, 2 and 3 are read)");
        }
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int start = major == 1 ? 10 : 12;
        if (all.length < start) {
            throw new InvalidInputException(file, "truncated .npy header");
        }
        long headerLen = major == 1 ? Short.toUnsignedInt(bb.getShort(8)) : Integer.toUnsignedLong(bb.getInt(8));
        if (start + headerLen > all.length) {
            throw new InvalidInputException(file, "truncated .npy header: it claims " + headerLen + " bytes, the file "
                    + "has " + (all.length - start) + " after the preamble");
        }
        String header = new String(all, start, (int) headerLen, major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher o = ORDER.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) {
            throw new InvalidInputException(file, "malformed .npy header: "
                    + InvalidInputException.excerpt(header.trim()));
        }
        if (o.group(1).equals("True")) {
            throw new InvalidInputException(file, "Fortran-order arrays are not supported");
        }
        long[] shape = shape(file, s.group(1));
        long n = 1;
        for (long dim : shape) {
            n = Math.multiplyExact(n, dim); // shape() checked that the product fits
        }
        String descr = d.group(1);
        if (float32Only && !descr.equals("<f4")) {
            throw new InvalidInputException(file, "expected float32 little-endian ('<f4'), found dtype '"
                    + InvalidInputException.excerpt(descr) + "' (save with numpy: a.astype(np.float32))");
        }
        int width = switch (descr) {
            case "<f4", "<i4" -> 4;
            case "<f8", "<i8" -> 8;
            case "|u1" -> 1;
            default -> throw new InvalidInputException(file, "unsupported dtype "
                    + InvalidInputException.excerpt(descr));
        };
        int dataStart = (int) (start + headerLen);
        if (n > (all.length - dataStart) / width) { // checked before multiplying: n * width may overflow
            throw new InvalidInputException(file, "truncated data: " + n + " values of " + descr + " need "
                    + (n <= Long.MAX_VALUE / width ? String.valueOf(n * width) : "more than " + Long.MAX_VALUE)
                    + " bytes, found " + (all.length - dataStart));
        }
        float[] out = new float[(int) n];
        bb.position(dataStart);
        for (int i = 0; i < n; i++) {
            out[i] = switch (descr) {
                case "<f4" -> bb.getFloat();
                case "<f8" -> (float) bb.getDouble();
                case "<i4" -> bb.getInt();
                case "<i8" -> bb.getLong();
                default -> Byte.toUnsignedInt(bb.get());
            };
        }
        return new HostTensor(shape, out);
    }

    /** The dimensions of a shape tuple's text ({@code "2, 3"}, {@code "5,"}, {@code ""}); a bad one names the file. */
    private static long[] shape(Path file, String text) {
        String[] parts = text.split(",", -1);
        long[] shape = new long[0];
        long n = 1;
        for (int i = 0; i < parts.length; i++) {
            String t = parts[i].trim();
            if (t.isEmpty() && i == parts.length - 1) {
                continue; // the trailing comma of a 1-tuple, or the empty shape of a scalar
            }
            long dim;
            try {
                dim = Long.parseLong(t);
                n = Math.multiplyExact(n, dim);
            } catch (NumberFormatException | ArithmeticException e) {
                dim = -1;
            }
            if (dim < 0 || shape.length >= 32) {
                throw new InvalidInputException(file, "malformed .npy shape (" + InvalidInputException.excerpt(text)
                        + ")");
            }
            shape = Arrays.copyOf(shape, shape.length + 1);
            shape[shape.length - 1] = dim;
        }
        return shape;
    }

    /** Writes a tensor as a float32 C-order {@code .npy} file. */
    public static void write(Path file, HostTensor t) {
        writeFloat32(file, t.data(), t.shape());
    }

    /** Writes float32 values as a C-order {@code .npy} file of {@code shape}. */
    public static void writeFloat32(Path file, float[] data, long... shape) {
        long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, data has "
                    + data.length);
        }
        StringBuilder dims = new StringBuilder();
        for (long dim : shape) {
            dims.append(dim).append(", ");
        }
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, Math.max(0,
                dims.length() - 2)) + ")";
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText
                + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        ByteBuffer bb = ByteBuffer.allocate(10 + header.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        bb.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        for (float v : data) {
            bb.putFloat(v);
        }
        AtomicFiles.write(file, out -> out.write(bb.array()));
    }
}
