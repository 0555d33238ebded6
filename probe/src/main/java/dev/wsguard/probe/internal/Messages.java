package dev.wsguard.probe.internal;

import dev.wsguard.probe.MessageAttack;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/** Attacks carried by one message on an open session: authorization, injection and size. */
final class Messages {

    private Messages() {
    }

    /** Sends {@code message} on a fresh session of the valid token; it must be refused. */
    static Outcome send(Run run, String message) throws IOException {
        try (Run.Session session = run.session(run.token)) {
            return run.expectRefusedMessage(session, message);
        }
    }

    static Outcome adminMessage(Run run) throws IOException {
        String message = run.target.adminMessage().orElseThrow(() -> new Outcome.Skip("no admin message given"));
        String low = run.optionalToken(run.target.lowToken(), "less-privileged token");
        try (Run.Session session = run.session(low)) {
            return run.expectRefusedMessage(session, message);
        }
    }

    static Outcome foreignMessage(Run run) throws IOException {
        return send(run, run.target.foreignMessage().orElseThrow(
                () -> new Outcome.Skip("no message for another tenant given")));
    }

    /** The element whose return, unescaped, would run script in a page that inserts the answer as HTML. */
    static final String MARKUP = "<img src=x onerror=wsguardProbe()>";
    /** What is put in a field: a quote first, which closes a string in a reply written by concatenation. */
    static final String BREAKOUT = "\">" + MARKUP;

    /**
     * The echo message (by default the sample) with one string member but {@code type} at a time set to
     * {@link #BREAKOUT} (a member added when it has none), each on a fresh session after the messages that set it up.
     * An answer carrying the element outside a JSON string is a finding, refusal or not: a reply that is no JSON (an
     * HTML fragment), or whose quote the endpoint did not escape. Inside a JSON string it is data, as a JSON protocol
     * delivers text; rendering it as text is the client's part, and the observation says so.
     */
    static Outcome markupEcho(Run run) throws IOException {
        List<String> messages = run.target.echoMessages();
        String echo = messages.get(messages.size() - 1);
        List<String> setup = messages.subList(0, messages.size() - 1);
        List<String> variants = Payloads.everyString(echo, BREAKOUT, "wsguardProbeText");
        String asData = null;
        String firstAnswer = null;
        for (String message : variants) {
            try (Run.Session session = run.session(run.token, setup)) {
                try {
                    session.wire().sendText(message);
                } catch (IOException e) {
                    firstAnswer = firstAnswer != null ? firstAnswer : "the connection was dropped while sending";
                    continue;
                }
                for (Event e : session.wire().collect(run.target.replyTimeout(), 20)) {
                    if (e instanceof Event.Text t && t.text().contains(MARKUP)) {
                        if (!Payloads.escapedJson(t.text(), BREAKOUT)) {
                            return Outcome.finding("the markup came back outside a JSON string: " + run.show(t.text()));
                        }
                        int at = t.text().indexOf(MARKUP);
                        asData = asData != null ? asData : (at > 16 ? "…" : "")
                                + t.text().substring(Math.max(0, at - 16), at + MARKUP.length()) + "…";
                    }
                    if (firstAnswer == null) {
                        firstAnswer = run.judge(e, message, "", Outcome.pass("no answer")).observed();
                    }
                }
            }
        }
        if (asData != null) {
            return Outcome.pass("came back only inside a JSON string, as data: " + run.show(asData));
        }
        return Outcome.pass((firstAnswer == null ? "no answer within " + run.target.replyTimeout().toMillis() + " ms"
                : firstAnswer) + "; no markup sent back");
    }

    /**
     * A message over the size limit, written in its frames while the answer is read; writing stops once the server
     * has answered, as a client's would. A guarded endpoint closes 1009 on the frame header or as soon as the count
     * passes the limit; for a message too large to buffer ({@link MessageAttack#refusedMidway}), a close only after
     * all of it was written means the endpoint read it whole.
     */
    static Outcome oversized(Run run, MessageAttack attack) throws IOException, InterruptedException {
        List<String> fragments = attack.fragmentsFor(run.messageGiven());
        long total = fragments.stream().mapToLong(String::length).sum();
        try (Run.Session session = run.session(run.token)) {
            Wire.Writer writer = session.wire().sendFragmentsInBackground(fragments);
            Event next = session.wire().next(run.target.replyTimeout().plusSeconds(3));
            writer.stop();
            writer.join(Duration.ofSeconds(5));
            boolean whole = writer.completed();
            String sent = whole ? "" : " after " + kib(writer.written()) + " of " + kib(total);
            if (next instanceof Event.Text t) {
                return Outcome.finding("the oversized message was answered (" + t.bytes() + " bytes)");
            }
            if (next instanceof Event.Gone g && g.why().equals(Wire.TOO_LARGE)) {
                return Outcome.finding("the oversized message was answered with a message over 16 MiB");
            }
            if (!(next instanceof Event.Closed) && !(next instanceof Event.Gone)) {
                return Outcome.finding("no close: the whole message was read");
            }
            String end = next instanceof Event.Closed c ? "close " + c.code() : ((Event.Gone) next).why();
            if (next instanceof Event.Closed c && c.code() != 1009 && c.code() != 1008) {
                return Outcome.finding(end + sent + ", not 1009");
            }
            if (attack.refusedMidway() && whole) {
                return Outcome.finding(end + " only once all " + kib(total) + " were written: read whole");
            }
            return Outcome.pass(end + sent);
        }
    }

    private static String kib(long bytes) {
        return bytes >= 4L << 20 ? bytes / (1 << 20) + " MiB" : bytes / 1024 + " KiB";
    }
}
