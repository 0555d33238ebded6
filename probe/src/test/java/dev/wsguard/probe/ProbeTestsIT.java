package dev.wsguard.probe;

import dev.wsguard.probe.junit.ProbeTests;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

/**
 * What a team writes to run the catalogue in its own tests: one {@code @TestFactory}, one dynamic test per attack,
 * here against the guarded example chat. Attacks that cannot apply show as aborted, not as passed.
 */
class ProbeTestsIT extends AgainstGuardedChat {

    @TestFactory
    Stream<DynamicTest> chatResistsTheCatalogue() throws Exception {
        return ProbeTests.of(chat.suite().build());
    }
}
