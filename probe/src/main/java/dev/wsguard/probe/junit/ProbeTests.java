package dev.wsguard.probe.junit;

import dev.wsguard.probe.Attack;
import dev.wsguard.probe.ProbeSuite;
import dev.wsguard.probe.Report;
import dev.wsguard.probe.Result;
import dev.wsguard.probe.Verdict;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The catalogue in a team's JUnit 5 tests: {@link #of} gives one dynamic test per attack for a
 * {@code @TestFactory} (a finding fails its test, an attack not run is shown as aborted), and
 * {@link #assertNoFindings} checks a whole report at once.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> chatResistsTheCatalogue() {
 *     return ProbeTests.of(ProbeSuite.against(server.uri()).origin(ORIGIN).token(idp::aliceToken).build());
 * }
 * }</pre>
 */
public final class ProbeTests {

    private ProbeTests() {
    }

    /**
     * One test per attack of {@code suite}. The catalogue runs once, in order, when the first test executes (its
     * attacks depend on each other's pacing and controls); each test then reports its own attack.
     */
    public static Stream<DynamicTest> of(ProbeSuite suite) {
        Report[] report = new Report[1];
        return suite.attacks().stream().map(attack -> DynamicTest.dynamicTest(attack.id() + ": " + attack.title(),
                () -> {
                    synchronized (report) {
                        if (report[0] == null) {
                            report[0] = suite.run();
                        }
                    }
                    check(attack, report[0].results().stream().filter(r -> r.attack().equals(attack)).findFirst()
                            .orElseThrow(() -> new AssertionError(attack.id() + " did not run")));
                }));
    }

    private static void check(Attack attack, Result result) {
        if (result.verdict() == Verdict.NOT_RUN) {
            Assumptions.abort(attack.id() + " not run: " + result.observed());
        }
        Assertions.assertEquals(Verdict.PASS, result.verdict(),
                () -> attack.id() + ": expected " + attack.expected() + "; observed " + result.observed());
    }

    /** Fails listing every finding (and a failed control) of {@code report}. */
    public static void assertNoFindings(Report report) {
        Assertions.assertTrue(report.auditable(), () -> "a control failed, nothing is proven:\n" + report.toTable());
        Assertions.assertFalse(report.hasFindings(), () -> "findings:\n" + report.findings().stream()
                .map(r -> "  " + r.attack().id() + ": expected " + r.attack().expected() + "; observed "
                        + r.observed()).collect(Collectors.joining("\n")));
    }
}
