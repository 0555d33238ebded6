package dev.wsguard.message;

import dev.wsguard.message.Decoded.Detail;
import jakarta.json.stream.JsonParser.Event;

import java.util.Map;
import java.util.Set;

/**
 * What the JSON for one Java type must look like, derived once from a record's component types. Checking a value
 * against its shape before JSON-B sees it is what makes decoding exact: JSON-B providers coerce ({@code 123} into a
 * {@code String}, {@code "12"} into an {@code int}, {@code 1} into {@code false}) and Yasson wraps integers silently
 * outside polymorphic decoding.
 *
 * <p>Checks read the events through {@link StructureScan}, which refuses a structural problem before the shape sees
 * it, so recursion is bounded by the depth limit and every object is free of duplicate keys. Immutable and
 * thread-safe once built.
 */
sealed interface Shape {

    /** Longest number literal any numeric shape accepts; a {@code double} needs at most 24 characters. */
    int MAX_NUMBER_CHARS = 64;

    /**
     * Checks the value whose first event the parser has just returned, consuming the whole value when it fits.
     *
     * @return null when the value fits, otherwise why not
     */
    Detail check(StructureScan parser, Event first);

    /** A shape that also takes {@code null}: every reference type. Primitives are never nullable. */
    static Shape nullable(Shape inner) {
        return inner instanceof Nullable ? inner : new Nullable(inner);
    }

    /** Strings, and string-encoded types JSON-B parses itself (a failure there is reported as a wrong type). */
    enum Scalar implements Shape {
        STRING {
            @Override
            public Detail check(StructureScan parser, Event first) {
                return first == Event.VALUE_STRING ? null : Detail.WRONG_FIELD_TYPE;
            }
        },
        /** Exactly one UTF-16 unit; Yasson would take the first character of any string, or a number. */
        CHAR {
            @Override
            public Detail check(StructureScan parser, Event first) {
                return first == Event.VALUE_STRING && parser.string().length() == 1 ? null
                        : Detail.WRONG_FIELD_TYPE;
            }
        },
        /** Only the literals; Yasson reads {@code "true"} as true and {@code 1} as false. */
        BOOLEAN {
            @Override
            public Detail check(StructureScan parser, Event first) {
                return first == Event.VALUE_TRUE || first == Event.VALUE_FALSE ? null : Detail.WRONG_FIELD_TYPE;
            }
        }
    }

    /** Accepts {@code null}, else defers to the inner shape. */
    record Nullable(Shape inner) implements Shape {
        @Override
        public Detail check(StructureScan parser, Event first) {
            return first == Event.VALUE_NULL ? null : inner.check(parser, first);
        }
    }

    /**
     * An integer literal (no fraction, no exponent) within {@code [min, max]}. {@code 1.0} and {@code 1e2} are
     * refused: Yasson takes them for an {@code int} but not for a {@code short}, so only the plain form is exact
     * for every integer type.
     */
    record IntegerRange(long min, long max) implements Shape {
        @Override
        public Detail check(StructureScan parser, Event first) {
            if (first != Event.VALUE_NUMBER) {
                return Detail.WRONG_FIELD_TYPE;
            }
            String literal = parser.string();
            // 20 characters hold Long.MIN_VALUE; anything longer cannot fit, and parsing it would cost more.
            if (literal.length() > 20) {
                return Detail.NUMBER_OUT_OF_RANGE;
            }
            long value;
            try {
                // takes only a sign and digits: a fraction or an exponent fails here like an overflow
                value = Long.parseLong(literal);
            } catch (NumberFormatException notAnExactLong) {
                return Detail.NUMBER_OUT_OF_RANGE;
            }
            return value < min || value > max ? Detail.NUMBER_OUT_OF_RANGE : null;
        }
    }

    /**
     * Any number literal whose nearest {@code float} or {@code double} is finite, and is zero only when the literal
     * is: Yasson turns {@code 1e400} into infinity and {@code 1e-400} into zero without a word.
     */
    record FloatingPoint(boolean single) implements Shape {
        @Override
        public Detail check(StructureScan parser, Event first) {
            if (first != Event.VALUE_NUMBER) {
                return Detail.WRONG_FIELD_TYPE;
            }
            String literal = parser.string();
            if (literal.length() > MAX_NUMBER_CHARS) {
                return Detail.NUMBER_OUT_OF_RANGE;
            }
            // JSON number syntax is a subset of Java's; the parser has already enforced it.
            double value = single ? Float.parseFloat(literal) : Double.parseDouble(literal);
            if (Double.isInfinite(value) || value == 0 && !isZero(literal)) {
                return Detail.NUMBER_OUT_OF_RANGE;
            }
            return null;
        }

        private static boolean isZero(String literal) {
            for (int i = 0; i < literal.length(); i++) {
                char c = literal.charAt(i);
                if (c == 'e' || c == 'E') {
                    return true;
                }
                if (c >= '1' && c <= '9') {
                    return false;
                }
            }
            return true;
        }
    }

    /** A string naming one constant, as {@code Enum.valueOf} would (Yasson ignores {@code @JsonbProperty} there). */
    record EnumConstant(Set<String> names) implements Shape {
        public EnumConstant {
            names = Set.copyOf(names);
        }

        @Override
        public Detail check(StructureScan parser, Event first) {
            return first == Event.VALUE_STRING && names.contains(parser.string()) ? null
                    : Detail.WRONG_FIELD_TYPE;
        }
    }

    /** A JSON array for a {@code List}, {@code Set}, {@code Collection} or Java array. */
    record ArrayOf(Shape element) implements Shape {
        @Override
        public Detail check(StructureScan parser, Event first) {
            if (first != Event.START_ARRAY) {
                return Detail.WRONG_FIELD_TYPE;
            }
            for (Event next = parser.next(); next != Event.END_ARRAY; next = parser.next()) {
                Detail detail = element.check(parser, next);
                if (detail != null) {
                    return detail;
                }
            }
            return null;
        }
    }

    /** A JSON object for a {@code Map<String, V>}: any keys, every value of one shape. */
    record MapOf(Shape value) implements Shape {
        @Override
        public Detail check(StructureScan parser, Event first) {
            if (first != Event.START_OBJECT) {
                return Detail.WRONG_FIELD_TYPE;
            }
            for (Event next = parser.next(); next != Event.END_OBJECT; next = parser.next()) {
                // next is KEY_NAME: the scan bounded its length and refused duplicates
                Detail detail = value.check(parser, parser.next());
                if (detail != null) {
                    return detail;
                }
            }
            return null;
        }
    }

    /**
     * A JSON object for a record: only its components' JSON names, each value of its component's shape, and every
     * primitive component present. Reference components may be absent (they decode as {@code null}, which
     * {@code @NotNull} can refuse).
     */
    final class RecordOf implements Shape {
        /** One component as it appears in JSON. */
        record Property(int index, Shape shape, boolean required) {
        }

        private final Class<?> type;
        // Assigned once, by MessageSchema, before the reader holding this shape is published (cycles need it late).
        private Map<String, Property> properties;
        private int required;

        RecordOf(Class<?> type) {
            this.type = type;
        }

        void define(Map<String, Property> properties) {
            if (this.properties != null) {
                throw new IllegalStateException("already defined: " + type.getName());
            }
            this.properties = Map.copyOf(properties);
            this.required = (int) properties.values().stream().filter(Property::required).count();
        }

        Class<?> type() {
            return type;
        }

        Set<String> names() {
            return properties.keySet();
        }

        @Override
        public Detail check(StructureScan parser, Event first) {
            return first == Event.START_OBJECT ? members(parser, null) : Detail.WRONG_FIELD_TYPE;
        }

        /**
         * Checks the members of an object whose {@code START_OBJECT} was just read, up to and including its end.
         *
         * @param discriminator a key to pass over (the top-level type key), or null
         */
        Detail members(StructureScan parser, String discriminator) {
            boolean[] seen = required == 0 ? null : new boolean[properties.size()];
            int seenRequired = 0;
            for (Event next = parser.next(); next != Event.END_OBJECT; next = parser.next()) {
                String key = parser.string();
                Event value = parser.next();
                if (key.equals(discriminator)) {
                    if (value != Event.VALUE_STRING) {
                        return Detail.UNKNOWN_TYPE;
                    }
                    continue;
                }
                Property property = properties.get(key);
                if (property == null) {
                    return Detail.UNKNOWN_FIELD;
                }
                Detail detail = property.shape().check(parser, value);
                if (detail != null) {
                    return detail;
                }
                if (property.required() && !seen[property.index()]) {
                    seen[property.index()] = true;
                    seenRequired++;
                }
            }
            return seenRequired == required ? null : Detail.MISSING_FIELD;
        }

        @Override
        public String toString() {
            return "RecordOf[" + type.getName() + "]";
        }
    }
}
