package dev.wsguard;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Every attack of {@link MessageAttackIT}, against the same checks on a standard endpoint
 * ({@link dev.wsguard.testing.chat.StandardChat}: {@code @OnOpen} and one {@code @OnMessage} taking the family),
 * with the same expected answers.
 */
class StandardMessageAttackIT extends MessageAttackIT {

    @BeforeAll
    static void standardShape() {
        guardedPath = "/standard";
    }

    @AfterAll
    static void baseClassShape() {
        guardedPath = "/guarded";
    }
}
