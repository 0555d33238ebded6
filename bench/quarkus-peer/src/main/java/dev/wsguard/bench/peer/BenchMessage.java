package dev.wsguard.bench.peer;

import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** The benchmark's message family, as a Quarkus application would declare it (same JSON as the wsguard servers). */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "publish", type = BenchMessage.Publish.class),
        @JsonbSubtype(alias = "ping", type = BenchMessage.Ping.class)})
public sealed interface BenchMessage {

    /** A chat line for a channel. */
    record Publish(@NotNull @Size(max = 128) String channel, @NotNull @Size(min = 1, max = 1000) String text)
            implements BenchMessage {
    }

    /** Liveness probe. */
    record Ping() implements BenchMessage {
    }
}
