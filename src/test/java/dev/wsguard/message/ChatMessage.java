package dev.wsguard.message;

import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** The family from the README: what a user writes. */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "subscribe", type = ChatMessage.Subscribe.class),
        @JsonbSubtype(alias = "publish", type = ChatMessage.Publish.class),
        @JsonbSubtype(alias = "ping", type = ChatMessage.Ping.class)})
public sealed interface ChatMessage permits ChatMessage.Subscribe, ChatMessage.Publish, ChatMessage.Ping {

    record Subscribe(@NotNull @Size(max = 200) String channel) implements ChatMessage {
    }

    record Publish(@NotNull String channel, @NotNull @Size(min = 1, max = 1000) @PlainText String text)
            implements ChatMessage {
    }

    record Ping() implements ChatMessage {
    }
}
