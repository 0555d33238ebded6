package dev.wsguard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits how often a message type (on the type) or handler (on the method) may be used, per {@link #per() key}.
 * The numbers here are defaults that {@code wsguard.rate-limit.<name>.limit-for-period} and
 * {@code wsguard.rate-limit.<name>.limit-refresh-period} (ISO-8601) override. A message over the limit is dropped
 * with an error frame {@code rate_limited}; repeated excess closes the session with 4429. Limits never block a
 * container thread.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Repeatable(RateLimit.List.class)
public @interface RateLimit {

    /** What one limiter counts. */
    enum Key {
        /** Each session on its own. */
        SESSION,
        /** All sessions of one subject together. */
        USER,
        /** All sessions from one client address together. */
        ADDRESS
    }

    /** The name under which configuration can tune it. */
    String name();

    Key per() default Key.USER;

    int limitForPeriod();

    /** ISO-8601 duration, e.g. {@code PT1S}. */
    String refreshPeriod() default "PT1S";

    /** Container of repeated {@link RateLimit}s. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @interface List {
        RateLimit[] value();
    }
}
