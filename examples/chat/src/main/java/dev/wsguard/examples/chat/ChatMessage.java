package dev.wsguard.examples.chat;

import dev.wsguard.Channel;
import dev.wsguard.RateLimit;
import dev.wsguard.RequiresScope;
import dev.wsguard.message.PlainText;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Everything a chat client may send. Each type carries its own authorization rule; the guard enforces them before
 * {@link ChatEndpoint}'s handlers run.
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "subscribe", type = ChatMessage.Subscribe.class),
        @JsonbSubtype(alias = "publish", type = ChatMessage.Publish.class),
        @JsonbSubtype(alias = "kick", type = ChatMessage.Kick.class),
        @JsonbSubtype(alias = "ping", type = ChatMessage.Ping.class)})
public sealed interface ChatMessage {

    String CHANNEL = "tenant:{tenant}:{room}";

    /** The claim naming the caller's tenant: it must match a channel's {@code {tenant}}, and it bounds a kick. */
    String TENANT = "tenant";

    /** Join a room of the caller's own tenant. */
    @RequiresScope("chat:read")
    record Subscribe(@NotNull @Channel(pattern = CHANNEL, claims = TENANT) String channel)
            implements ChatMessage {
    }

    /** Say something in a room the session has joined. */
    @RequiresScope("chat:write")
    @RateLimit(name = "publish", per = RateLimit.Key.USER, limitForPeriod = 20, refreshPeriod = "PT1S")
    record Publish(@NotNull @Channel(pattern = CHANNEL, claims = TENANT) String channel,
                   @NotNull @Size(min = 1, max = 1000) @PlainText String text) implements ChatMessage {
    }

    /** Close every session of a user of the admin's own tenant. */
    @RolesAllowed("admin")
    record Kick(@NotNull @Size(min = 1, max = 128) String user) implements ChatMessage {
    }

    /** Liveness check, open to any authenticated user. */
    @PermitAll
    record Ping() implements ChatMessage {
    }
}
