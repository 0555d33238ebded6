package dev.wsguard.contract.cluster;

import dev.wsguard.RateLimit;
import jakarta.annotation.security.PermitAll;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** What a client of the cluster endpoint may send. */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "echo", type = ClusterMessage.Echo.class),
        @JsonbSubtype(alias = "post", type = ClusterMessage.Post.class)})
public sealed interface ClusterMessage {

    /** Anyone authenticated; answered with the caller's subject. */
    @PermitAll
    record Echo(@NotNull @Size(max = 100) String text) implements ClusterMessage {
    }

    /** Four a minute per user, on however many sessions and nodes. */
    @PermitAll
    @RateLimit(name = "post", per = RateLimit.Key.USER, limitForPeriod = ClusterEndpoint.POSTS_PER_MINUTE,
            refreshPeriod = "PT1M")
    record Post(@NotNull @Size(max = 100) String text) implements ClusterMessage {
    }
}
