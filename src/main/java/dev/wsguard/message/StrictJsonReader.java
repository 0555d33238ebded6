package dev.wsguard.message;

import dev.wsguard.GuardConfigException;
import dev.wsguard.message.Decoded.Detail;
import jakarta.json.JsonException;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import jakarta.validation.Validation;
import jakarta.validation.ValidationException;
import jakarta.validation.Validator;

import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes the JSON text messages of one message family, exactly or not at all.
 *
 * <p>The threat: a JSON-B provider left to itself is lenient where an attacker wants it to be. Yasson keeps the last
 * of two duplicate keys (so a filter and the handler can see different values), coerces {@code 123} into a
 * {@code String} and {@code 1} into {@code false}, wraps integers that overflow outside polymorphic decoding, turns
 * {@code 1e400} into infinity, ignores data after the object, and overflows a 1 MB thread stack at a few hundred
 * levels of nesting. This reader refuses all of that before JSON-B sees the text: a streaming structural check bounds
 * size, depth, string length and member count and rejects duplicate keys and trailing data, and a shape check holds
 * every value against the component types of the record the discriminator names (unknown fields, wrong JSON kinds,
 * numbers that do not fit exactly, {@code null} or absence for a primitive). When the type key comes first (JSON-B
 * writes it first), both run in one streaming pass; otherwise, and for every refusal, structure is checked
 * in full before shape. Only then does JSON-B bind the record, and {@code jakarta.validation} check its
 * constraints.
 *
 * <p>A family is an interface (ideally sealed) annotated with {@code @JsonbTypeInfo}, whose {@code @JsonbSubtype}s
 * are public records. Component types may be {@code String}, primitives and their boxes, enums, {@code UUID},
 * {@code URI}, the common {@code java.time} types, public records, arrays, {@code List}/{@code Set}/
 * {@code Collection}, {@code Map<String, V>} and {@code Optional} of these; anything else, custom adapters and
 * formats, and a sealed family with a permitted type that has no alias, fail the build with
 * {@link GuardConfigException}, as does a missing JSON-B, JSON-P or Jakarta Validation provider.
 *
 * <p>{@link #read(String)} never throws: it answers {@link Decoded.Ok}, {@link Decoded.Malformed} or
 * {@link Decoded.Invalid}. Defaults: depth 16, strings and keys 8,192 characters, 1,024 members and elements,
 * messages 65,536 characters (see {@link Limits}). Build one per family, once, and share it (for a WebSocket
 * endpoint, {@link StrictJsonDecoder} does). Immutable and thread-safe.
 *
 * @param <T> the message family
 */
public final class StrictJsonReader<T> {

    private final Class<T> family;
    private final Limits limits;
    private final MessageSchema schema;
    private final JsonParserFactory parsers;
    private final Jsonb jsonb;
    private final Validator validator;

    private StrictJsonReader(Class<T> family, Limits limits) {
        this.family = Objects.requireNonNull(family, "family");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.schema = MessageSchema.of(family);
        this.parsers = parserFactory();
        this.jsonb = jsonb();
        this.validator = SharedValidator.get();
        for (Class<?> record : schema.records()) {
            try {
                validator.getConstraintsForClass(record);
            } catch (ValidationException e) {
                throw new GuardConfigException("constraints on " + record.getName() + " are not valid", e);
            }
        }
    }

    /**
     * A reader for a family with the default {@link Limits}.
     *
     * @throws GuardConfigException when the family cannot be decoded strictly, or a provider is missing
     */
    public static <T> StrictJsonReader<T> of(Class<T> family) {
        return new StrictJsonReader<>(family, Limits.defaults());
    }

    /**
     * The one reader with default limits for {@code family}, built on first use and shared by every decoder and
     * guard of the family (kept on the family's {@code Class}, so application classes can still be unloaded).
     *
     * @throws GuardConfigException when the family cannot be decoded strictly, or a provider is missing
     */
    @SuppressWarnings("unchecked")
    public static <T> StrictJsonReader<T> shared(Class<T> family) {
        return (StrictJsonReader<T>) SHARED.get(family);
    }

    private static final ClassValue<StrictJsonReader<?>> SHARED = new ClassValue<>() {
        @Override
        protected StrictJsonReader<?> computeValue(Class<?> family) {
            return StrictJsonReader.of(family);
        }
    };

    /**
     * A reader for a family with the given limits.
     *
     * @throws GuardConfigException when the family cannot be decoded strictly, or a provider is missing
     */
    public static <T> StrictJsonReader<T> of(Class<T> family, Limits limits) {
        return new StrictJsonReader<>(family, limits);
    }

    /** The message family this reader decodes. */
    public Class<T> family() {
        return family;
    }

    /** Every concrete record type of the family with its alias, in declaration order; unmodifiable. */
    public Map<Class<?>, String> subtypes() {
        return schema.aliases();
    }

    /** The discriminator key, from {@code @JsonbTypeInfo(key = ...)}. */
    public String typeKey() {
        return schema.typeKey();
    }

    /** The limits this reader enforces. */
    public Limits limits() {
        return limits;
    }

    /**
     * Decodes one message. Never throws, whatever the input (including {@code null}).
     *
     * @return the record, or why it was refused
     */
    public Decoded<T> read(String json) {
        try {
            return decode(json, true);
        } catch (RuntimeException unexpected) {
            // Every known failure is mapped below; anything else still refuses the message rather than escape.
            return new Decoded.Malformed<>(Detail.MALFORMED_JSON);
        }
    }

    /**
     * {@link #read} without its last resort. {@code onePass} false skips the one-pass route, so that a test can hold
     * the two routes to the same answer for every input (the fuzz test does); production always passes true.
     */
    Decoded<T> decode(String json, boolean onePass) {
        Shape.RecordOf shape = onePass ? StructureScan.checkedShape(parsers, json, limits, schema) : null;
        if (shape == null) {
            // Refused, or the type key is not first: the two separate passes say exactly why, or accept.
            StructureScan.Outcome structure = StructureScan.scan(parsers, json, limits, schema.typeKey());
            if (structure.failure() != null) {
                return new Decoded.Malformed<>(structure.failure());
            }
            if (!structure.typeKeySeen()) {
                return new Decoded.Malformed<>(Detail.MISSING_TYPE);
            }
            shape = structure.discriminator() == null ? null : schema.shape(structure.discriminator());
            if (shape == null) {
                return new Decoded.Malformed<>(Detail.UNKNOWN_TYPE);
            }
            Detail mismatch = checkShape(json, shape);
            if (mismatch != null) {
                return new Decoded.Malformed<>(mismatch);
            }
        }
        T value;
        try {
            // Bound to the record the discriminator names, which the checks above have established: JSON-B then
            // reads the text as it streams, where binding to the family would first build the whole object as a
            // tree to find its type key (about half of Yasson's time on a small message).
            value = family.cast(jsonb.fromJson(json, shape.type()));
        } catch (RuntimeException e) {
            return bindingFailure(e);
        }
        try {
            if (!validator.validate(value).isEmpty()) {
                return new Decoded.Invalid<>(Detail.CONSTRAINT_VIOLATION);
            }
        } catch (RuntimeException brokenConstraint) {
            // A constraint that cannot be evaluated (or a validator that throws) refuses the message: failing closed.
            return new Decoded.Invalid<>(Detail.CONSTRAINT_VIOLATION);
        }
        return new Decoded.Ok<>(value);
    }

    private Detail checkShape(String json, Shape.RecordOf shape) {
        try (JsonParser parser = parsers.createParser(new StringReader(json))) {
            StructureScan events = StructureScan.over(parser, limits, schema.typeKey());
            events.next(); // START_OBJECT, as the structural scan established
            return shape.members(events, schema.typeKey());
        }
    }

    /**
     * After the shape check, JSON-B can still refuse a string its type cannot parse (a UUID, a date), or the
     * record's constructor can refuse the values: the latter is the record's own constraint.
     */
    private static <T> Decoded<T> bindingFailure(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvocationTargetException) {
                return new Decoded.Invalid<>(Detail.CONSTRAINT_VIOLATION);
            }
        }
        return new Decoded.Malformed<>(Detail.WRONG_FIELD_TYPE);
    }

    private static JsonParserFactory parserFactory() {
        try {
            return JsonProvider.provider().createParserFactory(Map.of());
        } catch (JsonException e) {
            throw new GuardConfigException("no Jakarta JSON Processing provider (such as Parsson) on the class path",
                    e);
        }
    }

    private static Jsonb jsonb() {
        try {
            // Yasson's name; the strict reader checks unknown fields itself, this is the second line.
            return JsonbBuilder.create(new JsonbConfig().setProperty("jsonb.fail-on-unknown-properties", true));
        } catch (JsonbException | JsonException e) {
            throw new GuardConfigException("no Jakarta JSON Binding provider (such as Yasson) on the class path", e);
        }
    }

    /**
     * The bounds a {@link StrictJsonReader} enforces before any binding. Every limit is at least 1;
     * {@code maxDepth} is at most {@value #DEPTH_CEILING}, because JSON-B binds recursively: measured with Yasson
     * 3.0.4 on polymorphic records, a 256 KB thread stack overflows at about 134 levels (1 MB at about 800), and
     * container threads can have small stacks. Immutable and thread-safe.
     *
     * @param maxDepth        deepest nesting of objects and arrays; the top-level object is depth 1 (default 16)
     * @param maxStringLength longest string value or object key, in UTF-16 characters (default 8,192)
     * @param maxEntries      most object members plus array elements in the whole message (default 1,024)
     * @param maxMessageChars longest message, in UTF-16 characters (default 65,536)
     */
    public record Limits(int maxDepth, int maxStringLength, int maxEntries, int maxMessageChars) {

        /** The largest accepted {@code maxDepth}. */
        public static final int DEPTH_CEILING = 64;

        private static final Limits DEFAULTS = new Limits(16, 8192, 1024, 65536);

        /**
         * @throws IllegalArgumentException when a limit is below 1 or the depth above {@value #DEPTH_CEILING}
         */
        public Limits {
            if (maxDepth < 1 || maxDepth > DEPTH_CEILING) {
                throw new IllegalArgumentException("maxDepth must be between 1 and " + DEPTH_CEILING + ": "
                        + maxDepth);
            }
            positive("maxStringLength", maxStringLength);
            positive("maxEntries", maxEntries);
            positive("maxMessageChars", maxMessageChars);
        }

        /** Depth 16, strings 8,192, entries 1,024, message 65,536. */
        public static Limits defaults() {
            return DEFAULTS;
        }

        public Limits withMaxDepth(int value) {
            return new Limits(value, maxStringLength, maxEntries, maxMessageChars);
        }

        public Limits withMaxStringLength(int value) {
            return new Limits(maxDepth, value, maxEntries, maxMessageChars);
        }

        public Limits withMaxEntries(int value) {
            return new Limits(maxDepth, maxStringLength, value, maxMessageChars);
        }

        public Limits withMaxMessageChars(int value) {
            return new Limits(maxDepth, maxStringLength, maxEntries, value);
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1: " + value);
            }
        }
    }

    /** One validator for the process, built at the first reader: building a factory is expensive. */
    private static final class SharedValidator {
        private static Validator shared;

        static synchronized Validator get() {
            if (shared == null) {
                try {
                    shared = Validation.buildDefaultValidatorFactory().getValidator();
                } catch (ValidationException e) {
                    throw new GuardConfigException("no usable Jakarta Validation provider (such as Hibernate "
                            + "Validator with an Expression Language implementation) on the class path: the strict "
                            + "reader will not decode messages it cannot validate", e);
                }
            }
            return shared;
        }
    }
}
