package dev.wsguard;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Records who performed an action: every accepted message of the annotated type (on the message record) or handler
 * (on the {@link OnMessageType} method) emits one {@link SecurityEvent.Kind#ACTION} event with the connection, subject,
 * client address, message type and, when the type has a {@link Channel} component, the channel name. Never the
 * message content. The audit trail an HTTP access log gives for requests, opt-in per message type because a chat
 * message per line would drown the log.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Audited {
}
