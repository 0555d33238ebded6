package dev.wsguard.message;

import java.util.Objects;

/**
 * The outcome of {@link StrictJsonReader#read(String)}: the decoded message, or why it was refused.
 *
 * <p>A refusal is never an exception and never carries the input: {@link Malformed} means the text is not a
 * well-formed, well-typed message of the family; {@link Invalid} means it is, but the decoded record breaks one of
 * its {@code jakarta.validation} constraints (or its own constructor refused it). The {@link Detail} is for the audit
 * log only; a client should learn no more than "malformed" or "invalid". Immutable and thread-safe.
 *
 * @param <T> the message family
 */
public sealed interface Decoded<T> permits Decoded.Ok, Decoded.Malformed, Decoded.Invalid {

    /**
     * A message that passed every structural, type and constraint check.
     *
     * @param value the decoded record; never null
     * @param <T>   the message family
     */
    record Ok<T>(T value) implements Decoded<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Text that is not a well-formed, well-typed message of the family.
     *
     * @param detail the specific cause; never {@link Detail#CONSTRAINT_VIOLATION}
     * @param <T>    the message family
     */
    record Malformed<T>(Detail detail) implements Decoded<T> {
        public Malformed {
            Objects.requireNonNull(detail, "detail");
            if (!detail.malformed()) {
                throw new IllegalArgumentException(detail + " is not a malformation");
            }
        }
    }

    /**
     * A well-formed message whose decoded record breaks a constraint.
     *
     * @param detail always {@link Detail#CONSTRAINT_VIOLATION}
     * @param <T>    the message family
     */
    record Invalid<T>(Detail detail) implements Decoded<T> {
        public Invalid {
            Objects.requireNonNull(detail, "detail");
            if (detail.malformed()) {
                throw new IllegalArgumentException(detail + " is a malformation");
            }
        }
    }

    /**
     * Why a message was refused, for the audit log only: never send it to the client, which should not learn which
     * rule it tripped. Every value but {@link #CONSTRAINT_VIOLATION} is a {@link Malformed} message.
     */
    enum Detail {
        /** Not JSON (syntax error, empty input, trailing data after the object, {@code null} input). */
        MALFORMED_JSON,
        /** Well-formed JSON whose top level is not an object ({@code []}, {@code "x"}, {@code 1}). */
        NOT_AN_OBJECT,
        /** Objects and arrays nested deeper than the limit. */
        TOO_DEEP,
        /** More characters, or more members and elements, than the limits allow. */
        TOO_LARGE,
        /** A string value or an object key longer than the limit. */
        STRING_TOO_LONG,
        /** An object with the same key twice, at any level. */
        DUPLICATE_KEY,
        /** A type discriminator that is not a string or names no subtype of the family. */
        UNKNOWN_TYPE,
        /** No type discriminator in the top-level object. */
        MISSING_TYPE,
        /** A member that is not a component of the target record. */
        UNKNOWN_FIELD,
        /**
         * A value of the wrong JSON kind for its target (a number where a string is expected, {@code "12"} for an
         * {@code int}, {@code 1} for a {@code boolean}, {@code null} for a primitive), an unknown enum constant, or a
         * string the target type cannot parse (a UUID, a date).
         */
        WRONG_FIELD_TYPE,
        /**
         * A number that does not fit its numeric target exactly: outside the range of an integer type, a fraction or
         * exponent for an integer type, a floating-point value that overflows to infinity or underflows to zero, or
         * a literal longer than 64 characters.
         */
        NUMBER_OUT_OF_RANGE,
        /** A record component of primitive type that is absent (it would otherwise silently become zero). */
        MISSING_FIELD,
        /** The decoded record breaks a {@code jakarta.validation} constraint or its constructor refused it. */
        CONSTRAINT_VIOLATION;

        /** Whether this detail marks a {@link Malformed} message (all but {@link #CONSTRAINT_VIOLATION}). */
        public boolean malformed() {
            return this != CONSTRAINT_VIOLATION;
        }
    }
}
