package dev.wsguard.probe;

import java.util.Objects;
import java.util.function.Function;

/**
 * A catalogue attack carried by one message on an open session, as data: the message, made from a sample the endpoint
 * answers, and the close code a wsguard-guarded endpoint gives it. The probe counts any refusal as a pass; wsguard's
 * contract suite sends the same message and asserts {@link #close} exactly.
 *
 * @param attack  the catalogue entry
 * @param close   the close code wsguard answers with (1007: a message its schema refuses)
 * @param message builds the message; throws {@link NotApplicable} when the sample lacks what it changes
 */
public record MessageAttack(Attack attack, int close, Function<Given, String> message) {

    @Override
    public String toString() {
        return attack.id();
    }

    /**
     * What the messages are made from.
     *
     * @param sample          a message the endpoint answers, a JSON object (its first member other than
     *                        {@code type} receives the hostile values)
     * @param maxMessageBytes the largest message the endpoint accepts
     */
    public record Given(String sample, int maxMessageBytes) {
        public Given {
            Objects.requireNonNull(sample, "sample");
        }
    }
}
