package dev.wsguard.probe;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A catalogue attack carried by one message on an open session, as data: the message, made from a sample the endpoint
 * answers and cut into the frames it is sent in, and the close code a wsguard-guarded endpoint gives it. The probe
 * counts any refusal as a pass; wsguard's contract suite sends the same frames and asserts {@link #close} exactly.
 *
 * @param attack          the catalogue entry
 * @param close           the close code wsguard answers with: 1007 for a message its schema refuses, 1009 for one
 *                        over the size limit
 * @param refusedMidway   true when the message is so large that the endpoint must refuse it before the client has
 *                        written it all (a sender stops writing once the endpoint has answered)
 * @param fragments       builds the message as its text frames, the first a text frame and the others continuations
 *                        (one element: one frame); throws {@link NotApplicable} when the sample lacks what it changes
 */
public record MessageAttack(Attack attack, int close, boolean refusedMidway,
        Function<Given, List<String>> fragments) {

    public MessageAttack {
        Objects.requireNonNull(attack, "attack");
        Objects.requireNonNull(fragments, "fragments");
    }

    /** The frames of the message for {@code given}, in order. */
    public List<String> fragmentsFor(Given given) {
        return fragments.apply(given);
    }

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
