package dev.wsguard.probe;

import java.util.Objects;
import java.util.function.IntUnaryOperator;

/**
 * A catalogue attack that crosses exactly one limit the operator gave, as data: how many connections, handshakes or
 * messages it sends against a limit of a given count. The probe sends that many and counts any refusal past the
 * limit as a pass; wsguard's contract suite sends the same number against its own configured limit and asserts
 * wsguard's exact answers (which ones are served, {@code 429} with {@code Retry-After}, {@code rate_limited} frames,
 * close {@code 4429}). One definition serves both.
 *
 * @param attack the catalogue entry
 * @param sent   how many the attack sends against a limit of that many (always more than the limit)
 */
public record FloodAttack(Attack attack, IntUnaryOperator sent) {

    public FloodAttack {
        Objects.requireNonNull(attack, "attack");
        Objects.requireNonNull(sent, "sent");
    }

    /** How many the attack sends against a limit of {@code limit}. */
    public int sentAgainst(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a limit is at least 1");
        }
        return sent.applyAsInt(limit);
    }

    @Override
    public String toString() {
        return attack.id();
    }
}
