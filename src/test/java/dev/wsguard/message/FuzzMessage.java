package dev.wsguard.message;

import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.List;

/**
 * The family the message fuzz test decodes: strings under {@code @Size} and {@code @PlainText}, ints, longs and a
 * boxed long, nested lists, a nested record, a record with no components and one whose constructor refuses values.
 */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "say", type = FuzzMessage.Say.class),
        @JsonbSubtype(alias = "total", type = FuzzMessage.Total.class),
        @JsonbSubtype(alias = "grid", type = FuzzMessage.Grid.class),
        @JsonbSubtype(alias = "empty", type = FuzzMessage.Empty.class)})
public sealed interface FuzzMessage permits FuzzMessage.Say, FuzzMessage.Total, FuzzMessage.Grid, FuzzMessage.Empty {

    record Say(@NotNull @Size(min = 1, max = 40) @PlainText String text, int count) implements FuzzMessage {
    }

    record Total(long amount, Long previous) implements FuzzMessage {
        public Total {
            if (amount < 0) {
                throw new IllegalArgumentException("negative");
            }
        }
    }

    record Item(@NotNull String name, long id) {
    }

    record Grid(@NotNull @Size(max = 4) List<List<Integer>> rows, List<Item> items) implements FuzzMessage {
    }

    record Empty() implements FuzzMessage {
    }
}
