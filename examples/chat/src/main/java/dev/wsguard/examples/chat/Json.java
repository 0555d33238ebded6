package dev.wsguard.examples.chat;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;

/** JSON output for the example: JSON-B for records, and a quoted string for the few hand-built replies. */
final class Json {
    private static final Jsonb JSONB = JsonbBuilder.create();

    private Json() {
    }

    static String toJson(Object value) {
        return JSONB.toJson(value);
    }

    static String quote(String s) {
        return JSONB.toJson(s);
    }
}
