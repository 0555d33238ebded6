package dev.wsguard.bench.server;

import dev.wsguard.bench.BenchMessage;
import dev.wsguard.bench.Wire;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.validation.Validation;
import jakarta.validation.Validator;

/** The unguarded servers' work per message: JSON-B decode of the family and bean validation, nothing else. */
public final class PlainDecoding {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    private PlainDecoding() {
    }

    public static String handle(String text) {
        try {
            BenchMessage message = JSONB.fromJson(text, BenchMessage.class);
            return message == null || !VALIDATOR.validate(message).isEmpty() ? Wire.INVALID : Wire.ACK;
        } catch (JsonbException e) {
            return Wire.INVALID;
        }
    }
}
