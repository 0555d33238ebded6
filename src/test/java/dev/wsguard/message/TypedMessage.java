package dev.wsguard.message;

import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** A family with every supported kind of component, for the type and number checks. */
@JsonbTypeInfo(key = "kind", value = {
        @JsonbSubtype(alias = "numbers", type = TypedMessage.Numbers.class),
        @JsonbSubtype(alias = "boxed", type = TypedMessage.Boxed.class),
        @JsonbSubtype(alias = "misc", type = TypedMessage.Misc.class),
        @JsonbSubtype(alias = "nested", type = TypedMessage.Nested.class),
        @JsonbSubtype(alias = "tree", type = TypedMessage.Tree.class),
        @JsonbSubtype(alias = "guarded", type = TypedMessage.Guarded.class),
        @JsonbSubtype(alias = "wide", type = TypedMessage.Wide.class)})
public interface TypedMessage {

    record Numbers(int i, long l, short s, byte b, double d, float f) implements TypedMessage {
    }

    record Boxed(Integer i, Long l, Double d, Boolean flag) implements TypedMessage {
    }

    enum Color { RED, GREEN }

    record Misc(String text, char letter, boolean flag, Color color, UUID id, Instant at, Optional<String> note,
                @JsonbProperty("renamed") String original) implements TypedMessage {
    }

    record Point(int x, int y) {
    }

    record Nested(Point point, List<Point> path, Map<String, Integer> counts, int[] codes, Set<String> tags,
                  List<Integer> numbers) implements TypedMessage {
    }

    record Tree(List<Tree> children) implements TypedMessage {
    }

    record Guarded(int n) implements TypedMessage {
        public Guarded {
            if (n < 0) {
                throw new IllegalArgumentException("negative");
            }
        }
    }

    /** The rest of the supported component types, to prove the shapes agree with what JSON-B binds. */
    record Wide(Collection<String> notes, String[] words, List<String>[] groups, byte[] bytes, Short s, Byte b,
                Float f, Character c, Optional<Integer> maybe, Map<String, List<Point>> routes, URI uri,
                LocalDate date, LocalTime time, LocalDateTime local, OffsetDateTime offset, ZonedDateTime zoned,
                Duration duration) implements TypedMessage {
    }
}
