package dev.wsguard.probe.internal;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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
                        asData = asData != null ? asData : (at > 24 ? "…" : "")
                                + t.text().substring(Math.max(0, at - 24), at + MARKUP.length()) + "…";
                    }
                    if (firstAnswer == null) {
                        firstAnswer = run.judge(e, message, "", Outcome.pass("no answer")).observed();
                    }
                }
            }
        }
        if (asData != null) {
            return Outcome.pass("sent back only inside a JSON string, escaped (data for the client to render as"
                    + " text): " + run.show(asData));
        }
        return Outcome.pass((firstAnswer == null ? "no answer within " + run.target.replyTimeout().toMillis() + " ms"
                : firstAnswer) + "; no markup sent back");
    }

    /**
     * A message 1 KiB over the limit, in one frame or in nine fragments, written while the answer is read: a guarded
     * endpoint closes 1009 on the frame header or as soon as the count passes the limit.
     */
    static Outcome oversized(Run run, boolean fragmented) throws IOException, InterruptedException {
        int size = run.target.maxMessageBytes() + 1024;
        byte[] message = Payloads.padded(run.target.sample(), size).getBytes(StandardCharsets.US_ASCII);
        List<byte[]> frames = new ArrayList<>();
        if (fragmented) {
            int part = (size + 8) / 9;
            for (int offset = 0; offset < size; offset += part) {
                int end = Math.min(size, offset + part);
                frames.add(Wire.frame(offset == 0 ? Wire.TEXT : Wire.CONTINUATION, end == size,
                        java.util.Arrays.copyOfRange(message, offset, end)));
            }
        } else {
            frames.add(Wire.frame(Wire.TEXT, true, message));
        }
        try (Run.Session session = run.session(run.token)) {
            Wire.Writer writer = session.wire().sendInBackground(frames);
            Event next = session.wire().next(run.target.replyTimeout().plusSeconds(3));
            writer.join(Duration.ofSeconds(5));
            String sent = writer.written() < frames.stream().mapToLong(f -> f.length).sum()
                    ? " after " + writer.written() / 1024 + " KiB of " + size / 1024 + " KiB" : "";
            if (next instanceof Event.Closed c) {
                return c.code() == 1009 || c.code() == 1008 ? Outcome.pass("close " + c.code() + sent)
                        : Outcome.finding("close " + c.code() + sent + ", not 1009");
            }
            if (next instanceof Event.Gone g) {
                return Outcome.pass(g.why() + sent);
            }
            if (next instanceof Event.Text t) {
                return Outcome.finding("the oversized message was answered (" + t.bytes() + " bytes)");
            }
            return Outcome.finding("no close: the whole message was read");
        }
    }
}
