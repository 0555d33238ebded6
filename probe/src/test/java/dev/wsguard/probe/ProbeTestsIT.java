package dev.wsguard.probe;

import dev.wsguard.probe.junit.ProbeTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a team writes to run the catalogue in its own tests: one {@code @TestFactory}, one dynamic test per attack,
 * here against the guarded example chat. Attacks that cannot apply show as aborted, not as passed.
 */
class ProbeTestsIT {

    @TempDir
    static Path dir;
    static GuardedChat chat;

    @BeforeAll
    static void start() throws Exception {
        chat = GuardedChat.start(dir);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        chat.close();
    }

    @TestFactory
    Stream<DynamicTest> chatResistsTheCatalogue() throws Exception {
        return ProbeTests.of(chat.suite().build());
    }
}
