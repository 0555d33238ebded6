package dev.wsguard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the method of a {@link GuardedEndpoint} that handles one message type: its first parameter is a record of
 * the endpoint's message family; an optional second parameter is the {@link jakarta.websocket.Session}. It runs only
 * after the message was decoded, validated, authorized and rate-limited. A returned {@code String} is sent as is;
 * any other non-null value is sent as JSON (JSON-B).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnMessageType {
}
