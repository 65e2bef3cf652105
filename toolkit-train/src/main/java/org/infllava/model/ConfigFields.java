package org.infllava.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.infllava.io.InvalidInputException;

/** Typed reads of {@code config.json} fields with errors that name the file and the field. */
final class ConfigFields {

    private final JsonObject json;
    private final Path source;

    ConfigFields(JsonObject json, Path source) {
        this.json = json;
        this.source = source;
    }

    int integer(String field, int defaultValue) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return defaultValue;
        }
        try {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw new NumberFormatException();
            }
            return e.getAsBigDecimal().intValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            throw error(field, "must be an integer, got " + InvalidInputException.excerpt(e.toString()));
        }
    }

    double number(String field, double defaultValue) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return defaultValue;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            double d = e.getAsDouble();
            if (Double.isFinite(d)) {
                return d;
            }
        }
        throw error(field, "must be a finite number, got " + InvalidInputException.excerpt(e.toString()));
    }

    String text(String field, String defaultValue) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return defaultValue;
        }
        if (!e.isJsonPrimitive()) {
            throw error(field, "must be a string, got " + InvalidInputException.excerpt(e.toString()));
        }
        return e.getAsString();
    }

    boolean bool(String field, boolean defaultValue) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return defaultValue;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw error(field, "must be true or false, got " + InvalidInputException.excerpt(e.toString()));
        }
        return e.getAsBoolean();
    }

    /** A string array (e.g. {@code architectures}); an empty list when absent. */
    java.util.List<String> strings(String field) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return java.util.List.of();
        }
        java.util.List<String> out = new java.util.ArrayList<>();
        if (e.isJsonArray()) {
            for (JsonElement x : e.getAsJsonArray()) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                    out = null;
                    break;
                }
                out.add(x.getAsString());
            }
            if (out != null) {
                return out;
            }
        }
        throw error(field, "must be an array of strings, got " + InvalidInputException.excerpt(e.toString()));
    }

    /** Whether the field is present, {@code null} included. */
    boolean present(String field) {
        return json.has(field);
    }

    /** Whether the field is present and not null. */
    boolean has(String field) {
        JsonElement e = json.get(field);
        return e != null && !e.isJsonNull();
    }

    JsonObject object(String field) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw error(field, "must be an object, got " + InvalidInputException.excerpt(e.toString()));
        }
        return e.getAsJsonObject();
    }

    InvalidInputException error(String field, String problem) {
        return new InvalidInputException(source, "field '" + field + "' " + problem);
    }
}
