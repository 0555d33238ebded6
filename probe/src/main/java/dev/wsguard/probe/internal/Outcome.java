package dev.wsguard.probe.internal;

import dev.wsguard.probe.NotApplicable;
import dev.wsguard.probe.Verdict;

/** What one attack concluded, before the runner times and records it. */
record Outcome(Verdict verdict, String observed) {

    static Outcome pass(String observed) {
        return new Outcome(Verdict.PASS, observed);
    }

    static Outcome finding(String observed) {
        return new Outcome(Verdict.FINDING, observed);
    }

    static Outcome notRun(String why) {
        return new Outcome(Verdict.NOT_RUN, why);
    }

    /** Thrown inside an attack that cannot go on; the runner records it as {@link Verdict#NOT_RUN}. */
    static final class Skip extends NotApplicable {
        private static final long serialVersionUID = 1L;

        Skip(String why) {
            super(why);
        }
    }
}
