package dev.wsguard.probe.internal;

import java.io.IOException;

/** The two requests that must succeed for any refusal to mean something. */
final class Controls {

    private Controls() {
    }

    static Outcome handshake(Run run) throws IOException {
        try (Run.Session session = run.session(run.token)) {
            return Outcome.pass("101" + (session.greetings().isEmpty() ? ""
                    : ", greeted with " + session.greetings().size() + " message(s)"));
        } catch (Outcome.Skip e) {
            return Outcome.notRun(e.getMessage());
        }
    }

    static Outcome sample(Run run) throws IOException {
        try (Run.Session session = run.session(run.token)) {
            String sample = run.target.sample();
            session.wire().sendText(sample);
            Event reply = session.wire().next(run.target.replyTimeout());
            if (reply instanceof Event.Text t && !run.refusal(t.text(), sample)) {
                return Outcome.pass("answered: " + run.show(t.text()));
            }
            return Outcome.notRun("the sample got " + describe(run, reply)
                    + ": give a message the endpoint answers");
        }
    }

    static String describe(Run run, Event e) {
        if (e instanceof Event.Text t) {
            return "a refusal " + run.show(t.text());
        }
        if (e instanceof Event.Closed c) {
            return "close " + c.code();
        }
        if (e instanceof Event.Gone g) {
            return g.why();
        }
        return "no answer";
    }
}
