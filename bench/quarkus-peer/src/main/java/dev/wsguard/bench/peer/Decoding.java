package dev.wsguard.bench.peer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbException;
import jakarta.validation.Validator;

/** The same work as the Tyrus servers: JSON-B decode of the family, bean validation, a fixed answer. */
@ApplicationScoped
public class Decoding {

    static final String ACK = "{\"type\":\"ack\"}";
    static final String INVALID = "{\"type\":\"error\",\"code\":\"invalid\"}";

    @Inject
    Jsonb jsonb;

    @Inject
    Validator validator;

    String handle(String text) {
        try {
            BenchMessage message = jsonb.fromJson(text, BenchMessage.class);
            return message == null || !validator.validate(message).isEmpty() ? INVALID : ACK;
        } catch (JsonbException e) {
            return INVALID;
        }
    }
}
