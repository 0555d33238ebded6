package dev.wsguard.probe;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * A fresh example chat for each test class: a run leaves the example's per-address limits and violation counts
 * behind, which the next run must not inherit.
 */
abstract class AgainstGuardedChat {

    @TempDir
    static Path dir;
    static GuardedChat chat;

    @BeforeAll
    static void startChat() throws Exception {
        chat = GuardedChat.start(dir);
    }

    @AfterAll
    static void stopChat() throws InterruptedException {
        chat.close();
    }
}
