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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Hugging Face safetensors format: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the raw little-endian data.
 *
 * <p>Reading maps each tensor's byte range separately ({@link FileChannel#map}), so files over 2 GB work as long as
 * one tensor is under 2 GB. F32, F16 and BF16 are read into floats in Java (DJL aborts the JVM on BF16 arrays).
 * Writing produces F32, atomically (temporary file, then rename).
 */
public final class SafeTensors {

    private SafeTensors() {}

    /** Reads every tensor of a file, in header order; errors name the file and the problem. */
    public static Map<String, HostTensor> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
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
            ch.read(hb, 8);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new InvalidInputException(file, "bad safetensors header JSON: " + e.getMessage());
            }
            long dataStart = 8 + headerLen;
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                out.put(e.getKey(), readTensor(file, ch, e.getKey(), e.getValue().getAsJsonObject(), dataStart, size));
            }
            return out;
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static HostTensor readTensor(Path file, FileChannel ch, String name, JsonObject info, long dataStart,
            long fileSize) throws IOException {
        String dtype = info.get("dtype").getAsString();
        JsonArray shapeJson = info.getAsJsonArray("shape");
        long[] shape = new long[shapeJson.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsLong();
            n *= shape[i];
        }
        JsonArray off = info.getAsJsonArray("data_offsets");
        long begin = off.get(0).getAsLong();
        long end = off.get(1).getAsLong();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new InvalidInputException(file, "tensor '" + name + "': unsupported dtype " + dtype
                    + " (F32, F16 and BF16 are read)");
        };
        if (end - begin != n * width) {
            throw new InvalidInputException(file, "tensor '" + name + "': shape " + HostTensor.shapeText(shape) + " of "
                    + dtype + " needs " + n * width + " bytes, offsets give " + (end - begin));
        }
        if (dataStart + end > fileSize) {
            throw new InvalidInputException(file, "tensor '" + name + "' ends at byte " + (dataStart + end)
                    + " but the file has " + fileSize + " bytes (truncated)");
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException(file, "tensor '" + name + "' has " + n + " elements, too many for one array");
        }
        float[] data = new float[(int) n];
        if (n > 0) {
            MappedByteBuffer mb = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin);
            mb.order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                data[i] = switch (dtype) {
                    case "F32" -> mb.getFloat();
                    case "F16" -> halfToFloat(mb.getShort());
                    default -> Float.intBitsToFloat((mb.getShort() & 0xFFFF) << 16);
                };
            }
        }
        return new HostTensor(shape, data);
    }

    /** IEEE 754 half precision to float (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
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

    /** Writes tensors as F32, in map order, atomically. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(offset);
            offset += 4L * e.getValue().size();
            off.add(offset);
            t.add("data_offsets", off);
            header.add(e.getKey(), t);
        }
        byte[] h = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8;
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length + pad);
            out.write(len.array());
            out.write(h);
            out.write(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII));
            for (HostTensor t : tensors.values()) {
                ByteBuffer bb = ByteBuffer.allocate(4 * t.size()).order(ByteOrder.LITTLE_ENDIAN);
                bb.asFloatBuffer().put(t.data());
                out.write(bb.array());
            }
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot write: " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new InvalidInputException(file, "cannot write: " + e.getMessage(), e);
        }
    }
}
