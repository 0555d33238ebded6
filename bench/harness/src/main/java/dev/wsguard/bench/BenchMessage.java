package dev.wsguard.bench;

import dev.wsguard.Channel;
import dev.wsguard.RateLimit;
import dev.wsguard.RequiresScope;
import dev.wsguard.message.PlainText;
import jakarta.annotation.security.PermitAll;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The message family every server under load reads: the guarded one through wsguard (with its rules), the plain
 * one through Yasson and Hibernate Validator directly (the wsguard annotations then mean nothing, except the
 * {@link PlainText} constraint, which both run). The Quarkus peer declares the same JSON.
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "publish", type = BenchMessage.Publish.class),
        @JsonbSubtype(alias = "ping", type = BenchMessage.Ping.class)})
public sealed interface BenchMessage {

    /** A chat line: scope, tenant-bound channel and a per-user rate limit, as in the example. */
    @RequiresScope("chat:write")
    @RateLimit(name = "publish", per = RateLimit.Key.USER, limitForPeriod = 20, refreshPeriod = "PT1S")
    record Publish(@NotNull @Size(max = 128) @Channel(pattern = "tenant:{tenant}:{room}", claims = "tenant") String channel,
                   @NotNull @Size(min = 1, max = 1000) @PlainText String text) implements BenchMessage {
    }

    /** Liveness probe. */
    @PermitAll
    record Ping() implements BenchMessage {
    }
}
