package dev.wsguard.internal.message;

import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The one message the guard answers itself, on every guarded endpoint: {@code {"type":"auth","token":"..."}}
 * replaces the session's token with a fresher one for the same subject, before the old one expires.
 */
@JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "auth", type = AuthMessage.Auth.class))
public sealed interface AuthMessage {

    /** A new bearer token. */
    record Auth(@NotNull @Size(min = 1, max = 8192) String token) implements AuthMessage {
    }
}
