package dev.wsguard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Requires every listed OAuth scope ({@code scope} or {@code scp} claim) for a message type or handler method.
 * Counts as an authorization rule: a message type with this annotation is allowed to any caller holding the
 * scopes (and any {@code @RolesAllowed} roles also present). A caller without them gets an error frame
 * {@code forbidden} ({@link Rejection#SCOPE_MISSING} in the security event).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RequiresScope {
    String[] value();
}
