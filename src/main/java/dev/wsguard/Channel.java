package dev.wsguard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a message's channel name to the caller's claims, so that access to one tenant or room gives nothing on its
 * siblings. Put it on the record component that holds the channel:
 *
 * <pre>{@code
 * public record Subscribe(@Channel(pattern = "tenant:{tenant}:{room}", claims = "tenant") String channel) { }
 * }</pre>
 *
 * The value must match {@code pattern} entirely; each {@code {variable}} matches 1 to 64 characters of
 * {@code [A-Za-z0-9_.-]}; each binding in {@code claims} ({@code variable}, or {@code variable=claim} when the
 * names differ) requires the variable to equal that token claim, or to be an element of it when the claim is an
 * array: {@code @Channel(pattern = "room:{room}", claims = "room=rooms")} admits only rooms listed in the caller's
 * {@code rooms} claim. Anything else is refused with {@link Rejection#CHANNEL_FORBIDDEN}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface Channel {
    /** The channel name pattern, e.g. {@code tenant:{tenant}:{room}}. */
    String pattern();

    /** Bindings {@code variable} or {@code variable=claim}: the variable must equal (or be in) that claim. */
    String[] claims() default {};
}
