package dev.wsguard;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * First-message authentication on a standard endpoint ({@link dev.wsguard.testing.chat.StandardFirstMessageChat}):
 * every case of {@link AuthDeadlineIT}, the same answers; the user's {@code @OnOpen} runs only once the auth message
 * has been verified, and {@code @OnClose} only for a session that reached it.
 */
class StandardAuthDeadlineIT extends AuthDeadlineIT {

    @BeforeAll
    static void standardShape() {
        firstPath = "/standard-first";
    }

    @AfterAll
    static void baseClassShape() {
        firstPath = "/first";
    }
}
