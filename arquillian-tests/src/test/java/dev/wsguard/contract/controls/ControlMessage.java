package dev.wsguard.contract.controls;

import dev.wsguard.Channel;
import dev.wsguard.RateLimit;
import jakarta.annotation.security.PermitAll;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** What a client of the controls endpoints may send. */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "echo", type = ControlMessage.Echo.class),
        @JsonbSubtype(alias = "vote", type = ControlMessage.Vote.class),
        @JsonbSubtype(alias = "subscribe", type = ControlMessage.Subscribe.class),
        @JsonbSubtype(alias = "publish", type = ControlMessage.Publish.class)})
public sealed interface ControlMessage {

    /** Anyone authenticated; echoed back with the caller's subject. */
    @PermitAll
    record Echo(@NotNull @Size(max = 1000) String text) implements ControlMessage {
    }

    /** Three a minute per client address, whoever sends them and on however many sessions. */
    @PermitAll
    @RateLimit(name = "vote", per = RateLimit.Key.ADDRESS, limitForPeriod = 3, refreshPeriod = "PT1M")
    record Vote() implements ControlMessage {
    }

    /** Reads a channel of the caller's own tenant from now on. */
    @PermitAll
    record Subscribe(@NotNull @Channel(pattern = "tenant:{tenant}:{room}", claims = "tenant") String channel)
            implements ControlMessage {
    }

    /**
     * Sends {@code text} to the channel's subscribers: through {@code GuardedBroadcaster}, or ({@code naive}) to
     * every session that subscribed, as code without wsguard would.
     */
    @PermitAll
    record Publish(@NotNull String channel, @NotNull @Size(max = 100) String text, boolean naive)
            implements ControlMessage {
    }
}
