package org.infllava.infer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.infllava.io.InvalidInputException;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's native tokenizers (works offline), without automatic special
 * tokens: chat templates place BOS and the like themselves.
 */
public final class TextTokenizer implements AutoCloseable {

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Long> vocab;
    private final int vocabSize;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer, Map<String, Long> vocab) {
        this.file = file;
        this.tokenizer = tokenizer;
        this.vocab = vocab;
        this.vocabSize = (int) (vocab.values().stream().mapToLong(Long::longValue).max().orElse(-1) + 1);
    }

    /** Loads {@code tokenizer.json} from a file or from a model directory. */
    public static TextTokenizer load(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
        if (!Files.exists(file)) {
            throw new InvalidInputException(file, "missing (a Hugging Face tokenizer.json is needed)");
        }
        Map<String, Long> vocab = new HashMap<>();
        try {
            String text = Files.readString(file);
            checkStrictJson(file, text);
            JsonObject json = JsonParser.parseString(text).getAsJsonObject();
            JsonElement v = json.has("model") ? json.getAsJsonObject("model").get("vocab") : null;
            if (v != null && v.isJsonObject()) {
                for (Map.Entry<String, JsonElement> e : v.getAsJsonObject().entrySet()) {
                    vocab.put(e.getKey(), e.getValue().getAsLong());
                }
            } else if (v != null && v.isJsonArray()) { // Unigram: [[piece, score], ...]
                for (int i = 0; i < v.getAsJsonArray().size(); i++) {
                    vocab.put(v.getAsJsonArray().get(i).getAsJsonArray().get(0).getAsString(), (long) i);
                }
            }
            if (json.has("added_tokens") && json.get("added_tokens").isJsonArray()) {
                for (JsonElement e : json.getAsJsonArray("added_tokens")) {
                    vocab.put(e.getAsJsonObject().get("content").getAsString(), e.getAsJsonObject().get("id").getAsLong());
                }
            }
        } catch (InvalidInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(file, "not a readable tokenizer.json: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.builder().optTokenizerPath(file).optAddSpecialTokens(false)
                    .build();
            return new TextTokenizer(file, t, vocab);
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(file, "the tokenizers library cannot load it: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
    }

    /** How deep {@link #checkStrictJson} lets JSON nest (real tokenizer files nest 5 or 6 levels). */
    static final int MAX_JSON_DEPTH = 64;

    /**
     * Checks that {@code text} is JSON as strict as the native tokenizers library reads it (Rust's serde_json: RFC 8259,
     * no unpaired surrogate escapes, finite numbers, nesting under 128), before that library sees it: a syntax error
     * inside some components (the {@code decoder}) makes it panic, which aborts the whole JVM (fuzz finding
     * {@code finding-native-panic-decoder}).
     */
    static void checkStrictJson(Path file, String text) {
        try (com.google.gson.stream.JsonReader r = new com.google.gson.stream.JsonReader(new java.io.StringReader(
                text))) {
            r.setStrictness(com.google.gson.Strictness.STRICT);
            int depth = 0;
            do {
                switch (r.peek()) {
                    case BEGIN_ARRAY -> { r.beginArray(); depth++; }
                    case END_ARRAY -> { r.endArray(); depth--; }
                    case BEGIN_OBJECT -> { r.beginObject(); depth++; }
                    case END_OBJECT -> { r.endObject(); depth--; }
                    case NAME -> checkText(file, r.nextName());
                    case STRING -> checkText(file, r.nextString());
                    case NUMBER -> {
                        String n = r.nextString();
                        if (!Double.isFinite(Double.parseDouble(n))) {
                            throw new InvalidInputException(file, "not a readable tokenizer.json: number "
                                    + InvalidInputException.excerpt(n) + " out of range");
                        }
                    }
                    case BOOLEAN -> r.nextBoolean();
                    case NULL -> r.nextNull();
                    case END_DOCUMENT -> throw new java.io.EOFException("end of input inside the JSON value");
                }
                if (depth > MAX_JSON_DEPTH) {
                    throw new InvalidInputException(file, "not a readable tokenizer.json: nested deeper than "
                            + MAX_JSON_DEPTH + " levels");
                }
            } while (depth > 0);
            if (r.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                throw new InvalidInputException(file, "not a readable tokenizer.json: text after the JSON value");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new InvalidInputException(file, "not a readable tokenizer.json: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
    }

    private static void checkText(Path file, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidInputException(file, "not a readable tokenizer.json: an unpaired surrogate \\u"
                        + Integer.toHexString(c) + " in a string");
            }
        }
    }

    /**
     * Token ids of {@code text}, without special tokens added. A tokenizer that loads but cannot encode the text (a
     * {@code WordLevel} model whose {@code unk_token} is missing from its vocabulary meets an unknown word) is an
     * error naming the file, not the native library's exception.
     */
    public long[] encode(String text) {
        try {
            return tokenizer.encode(text, false, false).getIds();
        } catch (RuntimeException e) {
            throw new InvalidInputException(file, "the tokenizers library cannot encode '"
                    + InvalidInputException.excerpt(text) + "' with it: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
    }

    /** Text of {@code ids}, special tokens skipped when {@code skipSpecial}; a native failure names the file. */
    public String decode(long[] ids, boolean skipSpecial) {
        try {
            return tokenizer.decode(ids, skipSpecial);
        } catch (RuntimeException e) {
            throw new InvalidInputException(file, "the tokenizers library cannot decode " + ids.length + " ids with it: "
                    + InvalidInputException.excerpt(String.valueOf(e.getMessage())));
        }
    }

    /** The id of a token string (vocabulary or added token). */
    public OptionalLong tokenId(String token) {
        Long id = vocab.get(token);
        return id == null ? OptionalLong.empty() : OptionalLong.of(id);
    }

    /** One more than the largest token id. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The tokenizer file. */
    public Path file() {
        return file;
    }

    /** Refuses a tokenizer whose ids do not fit the model's embedding table. */
    public void checkFits(int modelVocabSize, Path modelConfig) {
        if (vocabSize > modelVocabSize) {
            throw new InvalidInputException(file, "token ids go up to " + (vocabSize - 1) + " but the model ("
                    + modelConfig + ") has vocab_size " + modelVocabSize + ": tokenizer and model do not match");
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
