package dev.wsguard.contract.app;

import dev.wsguard.Channel;
import dev.wsguard.RateLimit;
import dev.wsguard.message.PlainText;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** What a client of the contract endpoint may send. */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "echo", type = ContractMessage.Echo.class),
        @JsonbSubtype(alias = "burst", type = ContractMessage.Burst.class),
        @JsonbSubtype(alias = "revoke", type = ContractMessage.Revoke.class),
        @JsonbSubtype(alias = "events", type = ContractMessage.Events.class),
        @JsonbSubtype(alias = "heap", type = ContractMessage.Heap.class),
        @JsonbSubtype(alias = "whoami", type = ContractMessage.WhoAmI.class),
        @JsonbSubtype(alias = "injected", type = ContractMessage.Injected.class),
        @JsonbSubtype(alias = "boot", type = ContractMessage.Boot.class),
        @JsonbSubtype(alias = "post", type = ContractMessage.Post.class),
        @JsonbSubtype(alias = "flood", type = ContractMessage.Flood.class)})
public sealed interface ContractMessage {

    /** Anyone authenticated; echoed back with the caller's subject. */
    @PermitAll
    record Echo(@NotNull @Size(max = 100000) String text) implements ContractMessage {
    }

    /** Two per minute per session: the third is rate limited. */
    @PermitAll
    @RateLimit(name = "burst", per = RateLimit.Key.SESSION, limitForPeriod = 2, refreshPeriod = "PT1M")
    record Burst() implements ContractMessage {
    }

    /** Admins only: revokes every token of {@code user}. */
    @RolesAllowed("admin")
    record Revoke(@NotNull String user) implements ContractMessage {
    }

    /** How many security events of one kind the CDI observer has seen (EE runtimes only). */
    @PermitAll
    record Events(@NotNull String reason) implements ContractMessage {
    }

    /** Who verified the caller's token (wsguard or the container) and the scopes wsguard reads from it. */
    @PermitAll
    record WhoAmI() implements ContractMessage {
    }

    /** Whether the endpoint instance got its {@code @Inject} field and its {@code @OnOpen} ran (standard shape). */
    @PermitAll
    record Injected() implements ContractMessage {
    }

    /** The id the application drew when its classes were loaded: a new one for each deployment. */
    @PermitAll
    record Boot() implements ContractMessage {
    }

    /** The server's heap in use after a full collection, for the memory tests. */
    @PermitAll
    record Heap() implements ContractMessage {
    }

    /**
     * A post to a channel of the caller's own tenant, with plain text of 1 to 200 characters; three a minute per
     * user, whatever the number of the user's sessions.
     */
    @PermitAll
    @RateLimit(name = "post", per = RateLimit.Key.USER, limitForPeriod = 3, refreshPeriod = "PT1M")
    record Post(@NotNull @Channel(pattern = "tenant:{tenant}:{room}", claims = "tenant") String channel,
                @NotNull @Size(min = 1, max = 200) @PlainText String text) implements ContractMessage {
    }

    /** Asks the server to send {@code count} messages of {@code size} characters through {@code Outbound}. */
    @PermitAll
    record Flood(@Min(1) @Max(10000) int count, @Min(1) @Max(60000) int size) implements ContractMessage {
    }
}
