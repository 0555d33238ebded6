package dev.wsguard.probe.internal;

import dev.wsguard.probe.TokenCarrier;

import java.io.EOFException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Where credentials travel and where they must never come back: the query string, echoes, plain TCP. */
final class Credentials {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Credentials() {
    }

    /** Why {@code auth.query-token} does not apply, or null. */
    static String queryCarrier(Target target) {
        return target.carrier() == TokenCarrier.QUERY ? "the endpoint's own carrier is the query string" : null;
    }

    /**
     * Sends a bad token that looks like a token (a canary) and a valid one, provokes answers and refusals, and looks
     * for either in everything that comes back.
     */
    static Outcome echo(Run run) throws IOException {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        String canary = "wsguardprobe" + HexFormat.of().formatHex(random);
        List<String> secrets = new ArrayList<>(run.secrets());
        secrets.add(canary);
        Set<String> where = new LinkedHashSet<>();
        int answers = 0;

        try (Wire wire = run.connect()) {
            Wire.Response refused = run.upgrade(wire, run.target.origin(), canary, run.target.carrier());
            answers++;
            check(refused.everything(), secrets, "the answer to a bad token (HTTP " + refused.status() + ")", where);
            if (refused.status() == 101) {
                for (Event e : wire.collect(Duration.ofMillis(300), 20)) {
                    answers++;
                    check(text(e), secrets, "a message to a session with a bad token", where);
                }
            }
        } catch (EOFException e) {
            // Refused by dropping the connection: nothing came back.
        }

        try (Run.Session session = run.session(run.token)) {
            check(session.response().everything(), secrets, "the 101 answer", where);
            answers += 1 + session.greetings().size();
            for (Event e : session.greetings()) {
                check(text(e), secrets, "a greeting message", where);
            }
            String[] provocations = {run.target.sample(), "{\"type\":\"auth\",\"token\":\"" + canary + "\"}",
                "{\"token\":\"" + canary + "\""};
            for (String message : provocations) {
                try {
                    session.wire().sendText(message);
                } catch (IOException e) {
                    break;
                }
                for (Event e : session.wire().collect(Duration.ofMillis(500), 20)) {
                    answers++;
                    check(text(e), secrets, e instanceof Event.Closed ? "a close reason" : "an answer message",
                            where);
                }
            }
        }
        return where.isEmpty() ? Outcome.pass("no token in " + answers + " answers")
                : Outcome.finding("a token came back in " + String.join(", ", where));
    }

    private static String text(Event e) {
        if (e instanceof Event.Text t) {
            return t.text();
        }
        return e instanceof Event.Closed c ? c.reason() : "";
    }

    private static void check(String answer, List<String> secrets, String place, Set<String> where) {
        for (String secret : secrets) {
            if (answer.contains(secret)) {
                where.add(place);
                return;
            }
        }
    }

    static Outcome plainWs(Run run) throws IOException {
        if (!run.target.secure()) {
            return Outcome.notRun("the URL is ws://: there is no TLS to strip");
        }
        run.pace();
        try (Wire wire = Wire.connect(run.target.uri(), false, false, run.target.replyTimeout(), 0)
                .host(Run.authority(run.target.uri()))) {
            Wire.Response response = run.upgrade(wire, run.target.origin(), run.token, run.target.carrier());
            return response.status() == 101 ? Outcome.finding("plain ws:// upgraded on the wss:// port")
                    : Outcome.pass("plain request answered HTTP " + response.status());
        } catch (IOException e) {
            return Outcome.pass("no WebSocket without TLS (" + e.getClass().getSimpleName() + ")");
        }
    }
}
