package dev.wsguard.probe.internal;

import com.nimbusds.jose.util.JSONObjectUtils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

    /**
     * The sample with each of its string members but {@code type} replaced by an HTML element (one added when it has
     * none): any answer carrying the element as sent, not escaped, is a finding, whether or not it is a refusal.
     */
    static Outcome markupEcho(Run run) throws IOException {
        String markup = "<img src=x onerror=wsguardProbe()>";
        Map<String, Object> members = Payloads.object(run.target.sample());
        boolean replaced = false;
        for (Map.Entry<String, Object> member : members.entrySet()) {
            if (member.getValue() instanceof String && !member.getKey().equals("type")) {
                member.setValue(markup);
                replaced = true;
            }
        }
        String message = replaced ? JSONObjectUtils.toJSONString(members)
                : Payloads.withMember(run.target.sample(), "wsguardProbeText", "\"" + markup + "\"");
        try (Run.Session session = run.session(run.token)) {
            try {
                session.wire().sendText(message);
            } catch (IOException e) {
                return Outcome.pass("the connection was dropped while sending");
            }
            List<Event> answers = session.wire().collect(run.target.replyTimeout(), 20);
            for (Event e : answers) {
                if (e instanceof Event.Text t && t.text().contains(markup)) {
                    return Outcome.finding("the markup came back unescaped: " + run.show(t.text()));
                }
            }
            Event first = answers.isEmpty() ? null : answers.get(0);
            return first == null ? Outcome.pass("no answer within " + run.target.replyTimeout().toMillis() + " ms")
                    : Outcome.pass(run.judge(first, message, "", Outcome.pass("no answer")).observed()
                            + "; no markup sent back");
        }
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
