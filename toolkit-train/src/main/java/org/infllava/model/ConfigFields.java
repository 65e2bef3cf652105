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
            return e.getAsInt();
        } catch (RuntimeException ex) {
            throw error(field, "must be an integer, got " + e);
        }
    }

    double number(String field, double defaultValue) {
        JsonElement e = json.get(field);
        if (e == null || e.isJsonNull()) {
            return defaultValue;
        }
        try {
            return e.getAsDouble();
        } catch (RuntimeException ex) {
            throw error(field, "must be a number, got " + e);
        }
    }

    String text(String field, String defaultValue) {
        JsonElement e = json.get(field);
        return e == null || e.isJsonNull() ? defaultValue : e.getAsString();
    }

    boolean bool(String field, boolean defaultValue) {
        JsonElement e = json.get(field);
        return e == null || e.isJsonNull() ? defaultValue : e.getAsBoolean();
    }

    JsonObject object(String field) {
        JsonElement e = json.get(field);
        return e == null || e.isJsonNull() ? null : e.getAsJsonObject();
    }

    InvalidInputException error(String field, String problem) {
        return new InvalidInputException(source, "field '" + field + "' " + problem);
    }
}
