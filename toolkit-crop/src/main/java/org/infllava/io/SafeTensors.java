package org.infllava.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One Hugging Face safetensors file: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the raw little-endian data.
 *
 * <p>{@link #open} reads the header only; {@link #read(String)} maps one tensor's byte range
 * ({@link FileChannel#map}), so files over 2 GB work as long as one tensor is under 2 GB, and a sharded checkpoint
 * costs memory only for the tensors asked for. F32, F16 and BF16 are converted to floats in Java (DJL aborts the JVM
 * on BF16 arrays). {@link #write} produces F32 or F16, atomically (temporary file, then rename).
 */
public final class SafeTensors implements AutoCloseable {

    /** Element types the writer produces. */
    public enum DType {
        /** 32-bit float. */
        F32,
        /** IEEE half precision. */
        F16
    }

    /**
     * Where one tensor lies.
     *
     * @param dtype F32, F16 or BF16
     * @param shape its dimensions
     * @param begin first byte, relative to the data section
     * @param end one past the last byte
     */
    public record TensorInfo(String dtype, long[] shape, long begin, long end) {}

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;

    private SafeTensors(Path file, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens a file and checks its header against the file size; errors name the file and the problem. */
    public static SafeTensors open(Path file) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            long size = ch.size();
            if (size < 8) {
                throw new InvalidInputException(file, "not a safetensors file: " + size + " bytes, no header");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > 100_000_000L || 8 + headerLen > size) {
                throw new InvalidInputException(file, "bad safetensors header length " + headerLen + " for a file of "
                        + size + " bytes (truncated or not safetensors)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            while (hb.hasRemaining() && ch.read(hb, 8 + hb.position()) > 0) {
                // a read may return fewer bytes than asked
            }
            JsonObject header;
            try {
                JsonElement parsed = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8));
                if (!parsed.isJsonObject()) {
                    throw new InvalidInputException(file, "bad safetensors header: not a JSON object");
                }
                header = parsed.getAsJsonObject();
            } catch (JsonParseException e) {
                throw new InvalidInputException(file, "bad safetensors header JSON: "
                        + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
            }
            long dataStart = 8 + headerLen;
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (!e.getKey().equals("__metadata__")) {
                    infos.put(e.getKey(), info(file, e.getKey(), e.getValue(), dataStart, size));
                }
            }
            return new SafeTensors(file, ch, dataStart, infos);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static TensorInfo info(Path file, String name, JsonElement entry, long dataStart, long fileSize) {
        String what = "tensor '" + InvalidInputException.excerpt(name) + "'";
        if (!entry.isJsonObject()) {
            throw new InvalidInputException(file, what + ": header entry is not an object");
        }
        JsonObject info = entry.getAsJsonObject();
        JsonElement dtypeJson = info.get("dtype");
        if (dtypeJson == null || !dtypeJson.isJsonPrimitive() || !dtypeJson.getAsJsonPrimitive().isString()) {
            throw new InvalidInputException(file, what + ": no dtype string");
        }
        String dtype = dtypeJson.getAsString();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new InvalidInputException(file, what + ": unsupported dtype "
                    + InvalidInputException.excerpt(dtype)
                    + " (F32, F16 and BF16 are read)");
        };
        long[] shape = longs(file, what, info, "shape", -1);
        long[] off = longs(file, what, info, "data_offsets", 2);
        long begin = off[0];
        long end = off[1];
        if (end < begin) {
            throw new InvalidInputException(file, what + ": data_offsets [" + begin + ", " + end + "] run backwards");
        }
        long n = 1;
        for (long d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new InvalidInputException(file, what + ": shape " + HostTensor.shapeText(shape)
                        + " has too many elements");
            }
        }
        if (n > (Long.MAX_VALUE / 4) || end - begin != n * width) {
            throw new InvalidInputException(file, what + ": shape " + HostTensor.shapeText(shape) + " of "
                    + dtype + " needs " + (n > Long.MAX_VALUE / 4 ? "more" : n * width) + " bytes, offsets give "
                    + (end - begin));
        }
        if (end > fileSize - dataStart) {
            throw new InvalidInputException(file, what + " ends at byte " + (dataStart + end)
                    + " but the file has " + fileSize + " bytes (truncated)");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException(file, what + " has " + n + " elements, too many for one array");
        }
        return new TensorInfo(dtype, shape, begin, end);
    }

    /** A field that must be an array of non-negative integers ({@code size} of them unless it is negative). */
    private static long[] longs(Path file, String what, JsonObject info, String field, int size) {
        JsonElement e = info.get(field);
        if (e == null || !e.isJsonArray() || (size >= 0 && e.getAsJsonArray().size() != size)) {
            throw new InvalidInputException(file, what + ": " + field + " must be a list of "
                    + (size >= 0 ? size + " " : "") + "non-negative integers");
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() > 64) {
            throw new InvalidInputException(file, what + ": " + field + " has " + a.size() + " entries");
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement v = a.get(i);
            try {
                if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
                    throw new NumberFormatException();
                }
                out[i] = v.getAsBigDecimal().longValueExact();
            } catch (ArithmeticException | NumberFormatException ex) {
                out[i] = -1;
            }
            if (out[i] < 0) {
                throw new InvalidInputException(file, what + ": " + field + " must be a list of non-negative "
                        + "integers, got " + InvalidInputException.excerpt(v.toString()));
            }
        }
        return out;
    }


    /** The file. */
    public Path file() {
        return file;
    }

    /** Tensor names, in header order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** The header entry of a tensor, or {@code null}. */
    public TensorInfo info(String name) {
        return tensors.get(name);
    }

    /**
     * The stored bytes of one tensor, memory-mapped and read-only, little-endian as the file holds them (no
     * conversion: for uploading BF16 as it is, see {@code org.infllava.model.io.Bf16}).
     */
    public java.nio.ByteBuffer raw(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new InvalidInputException(file, "no tensor '" + InvalidInputException.excerpt(name) + "'");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.end() - t.begin())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Reads one tensor as floats. */
    public HostTensor read(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new InvalidInputException(file, "no tensor '" + InvalidInputException.excerpt(name) + "'");
        }
        int n = (int) ((t.end() - t.begin()) / (t.dtype().equals("F32") ? 4 : 2));
        float[] data = new float[n];
        if (n > 0) {
            try {
                MappedByteBuffer mb = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(),
                        t.end() - t.begin());
                mb.order(ByteOrder.LITTLE_ENDIAN);
                switch (t.dtype()) {
                    case "F32" -> mb.asFloatBuffer().get(data);
                    case "F16" -> {
                        for (int i = 0; i < n; i++) {
                            data[i] = halfToFloat(mb.getShort());
                        }
                    }
                    default -> {
                        for (int i = 0; i < n; i++) {
                            data[i] = Float.intBitsToFloat((mb.getShort() & 0xFFFF) << 16); // BF16: top half of F32
                        }
                    }
                }
            } catch (IOException e) {
                throw new InvalidInputException(file, "cannot read tensor '" + name + "': " + e.getMessage(), e);
            }
        }
        return new HostTensor(t.shape(), data);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException e) {
            // nothing to do: the file was only read
        }
    }

    /** Reads every tensor of a file, in header order. */
    public static Map<String, HostTensor> read(Path file) {
        try (SafeTensors st = open(file)) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (String name : st.names()) {
                out.put(name, st.read(name));
            }
            return out;
        }
    }

    /** IEEE 754 half precision to float (subnormals, infinities and NaN included). */
    public static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal: mant · 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Float to IEEE 754 half precision, rounding to nearest even (overflow to infinity). */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) {
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >> shift;
            int rem = mant & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rem = mant & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** Writes tensors as F32, in map order, atomically. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, DType.F32);
    }

    /** Writes tensors as F32 or F16, in map order, atomically. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata, DType dtype) {
        AtomicFiles.write(file, out -> write(out, tensors, metadata, dtype));
    }

    /** Writes a safetensors file's bytes (F32 or F16, in map order) to {@code out}, which stays open. */
    public static void write(OutputStream out, Map<String, HostTensor> tensors, Map<String, String> metadata,
            DType dtype) throws IOException {
        int width = dtype == DType.F32 ? 4 : 2;
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", dtype.name());
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(offset);
            offset += (long) width * e.getValue().size();
            off.add(offset);
            t.add("data_offsets", off);
            header.add(e.getKey(), t);
        }
        byte[] h = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length + pad);
        out.write(len.array());
        out.write(h);
        out.write(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII));
        for (HostTensor t : tensors.values()) {
            ByteBuffer bb = ByteBuffer.allocate(width * t.size()).order(ByteOrder.LITTLE_ENDIAN);
            if (dtype == DType.F32) {
                bb.asFloatBuffer().put(t.data());
            } else {
                for (float v : t.data()) {
                    bb.putShort(floatToHalf(v));
                }
            }
            out.write(bb.array());
        }
    }
}
