package dev.wsguard.message;

import jakarta.json.bind.annotation.JsonbCreator;
import jakarta.json.bind.annotation.JsonbNumberFormat;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;

import java.util.List;
import java.util.Map;

/** Families the strict reader must refuse to build. */
final class BadFamilies {
    private BadFamilies() {
    }

    public interface NoTypeInfo {
        record Only() implements NoTypeInfo {
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "c", type = NotARecord.Plain.class))
    public interface NotARecord {
        final class Plain implements NotARecord {
            public String text;
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "h", type = Hidden.class))
    public interface HiddenFamily {
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "o", type = ObjectComponent.Loose.class))
    public interface ObjectComponent {
        record Loose(Object payload) implements ObjectComponent {
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "w", type = WildcardComponent.Loose.class))
    public interface WildcardComponent {
        record Loose(List<?> items) implements WildcardComponent {
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "m", type = IntegerKeys.Loose.class))
    public interface IntegerKeys {
        record Loose(Map<Integer, String> items) implements IntegerKeys {
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "a", type = SealedMissingAlias.A.class))
    public sealed interface SealedMissingAlias permits SealedMissingAlias.A, SealedMissingAlias.B {
        record A() implements SealedMissingAlias {
        }

        record B() implements SealedMissingAlias {
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "t", type = TypeKeyClash.Clash.class))
    public interface TypeKeyClash {
        record Clash(String type) implements TypeKeyClash {
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "f", type = Formatted.Number.class))
    public interface Formatted {
        record Number(@JsonbNumberFormat("#,##0") int amount) implements Formatted {
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "c", type = Creator.Made.class))
    public interface Creator {
        record Made(int n) implements Creator {
            @JsonbCreator
            public static Made of(String text) {
                return new Made(text.length());
            }
        }
    }

    @JsonbTypeInfo(key = "type", value = @JsonbSubtype(alias = "n", type = Nested.Outer.class))
    public interface Nested {
        record Outer(ChatMessage inner) implements Nested {
        }
    }

    @JsonbTypeInfo(key = "type", value = {})
    public interface Empty {
    }
}

record Hidden() implements BadFamilies.HiddenFamily {
}
