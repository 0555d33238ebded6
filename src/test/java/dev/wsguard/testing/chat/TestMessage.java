package dev.wsguard.testing.chat;

import dev.wsguard.Channel;
import dev.wsguard.RateLimit;
import dev.wsguard.RequiresScope;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** The message family of the message-guard attack tests. */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "subscribe", type = TestMessage.Subscribe.class),
        @JsonbSubtype(alias = "publish", type = TestMessage.Publish.class),
        @JsonbSubtype(alias = "kick", type = TestMessage.Kick.class),
        @JsonbSubtype(alias = "ping", type = TestMessage.Ping.class),
        @JsonbSubtype(alias = "bid", type = TestMessage.Bid.class),
        @JsonbSubtype(alias = "join", type = TestMessage.Join.class),
        @JsonbSubtype(alias = "unruled", type = TestMessage.Unruled.class)})
public sealed interface TestMessage {

    @RequiresScope("chat:read")
    record Subscribe(@NotNull @Channel(pattern = "tenant:{tenant}:{room}", claims = "tenant") String channel)
            implements TestMessage {
    }

    @RequiresScope("chat:write")
    @RateLimit(name = "publish", per = RateLimit.Key.USER, limitForPeriod = 3, refreshPeriod = "PT30S")
    record Publish(@NotNull @Channel(pattern = "tenant:{tenant}:{room}", claims = "tenant") String channel,
                   @NotNull @Size(min = 1, max = 100) String text) implements TestMessage {
    }

    @RolesAllowed("admin")
    record Kick(@NotNull String user) implements TestMessage {
    }

    @PermitAll
    record Ping() implements TestMessage {
    }

    @PermitAll
    @RateLimit(name = "bid", per = RateLimit.Key.ADDRESS, limitForPeriod = 3, refreshPeriod = "PT30S")
    record Bid(int amount) implements TestMessage {
    }

    @PermitAll
    record Join(@NotNull @Channel(pattern = "room:{room}", claims = "room=rooms") String channel) implements TestMessage {
    }

    /** Deliberately without an authorization rule: must be refused. */
    record Unruled() implements TestMessage {
    }
}
