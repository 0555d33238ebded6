package dev.wsguard.probe.internal;

import dev.wsguard.probe.FloodAttack;
import dev.wsguard.probe.Rate;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Attacks on capacity, each bounded in count and time and kept within the limits the operator gave, so that only
 * the limit under test is crossed: slow clients, floods of connections, messages and handshakes.
 */
final class Load {

    /** What may queue up for a client that stops reading before its session must be closed or dropped. */
    private static final long UNREAD_BOUND = 4L * 1024 * 1024;
    /** The most connections, handshakes or messages one flood sends, whatever the limit. */
    static final int MAX_BURST = 1000;

    private Load() {
    }

    /** Slowloris: a request head trickled one header a second; the server must close within its timeout. */
    static Outcome slowHandshake(Run run) throws IOException {
        Duration bound = run.target.handshakeTimeout().plusSeconds(5);
        long start = System.nanoTime();
        try (Wire wire = run.connect()) {
            String path = run.target.uri().getRawPath() == null || run.target.uri().getRawPath().isEmpty() ? "/"
                    : run.target.uri().getRawPath();
            wire.writeRaw(("GET " + path + " HTTP/1.1\r\nHost: " + Run.authority(run.target.uri()) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (int line = 0; elapsed(start).compareTo(bound) < 0; line++) {
                int read = wire.poll(Duration.ofSeconds(1));
                while (read >= 0) {
                    read = wire.poll(Duration.ofMillis(50));
                }
                if (read == -1) {
                    return Outcome.pass("closed after " + seconds(elapsed(start)));
                }
                try {
                    wire.writeRaw(("X-Wsguard-Probe-" + line + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return Outcome.pass("closed after " + seconds(elapsed(start)));
                }
            }
            return Outcome.finding("still open after " + seconds(elapsed(start)) + " (timeout given: "
                    + seconds(run.target.handshakeTimeout()) + ")");
        }
    }

    /**
     * Slowloris after the upgrade: a session whose one message never ends, its frame written a byte a second. No
     * message arrives, so a server that closes quiet sessions ({@code idleTimeout}) must close this one too; a close
     * frame, or the connection closed, within that bound passes.
     */
    static Outcome slowMessage(Run run) throws IOException {
        Duration idle = run.target.idleTimeout().orElseThrow(() -> new Outcome.Skip("no idle timeout given"));
        Duration bound = idle.plusSeconds(5);
        int size = (int) Math.min(run.target.maxMessageBytes(), run.target.sample().length() + 64 + bound.toSeconds());
        byte[] frame = Wire.frame(Wire.TEXT, true, Payloads.padded(run.target.sample(), size)
                .getBytes(StandardCharsets.UTF_8));
        try (Run.Session session = run.session(run.token)) {
            long start = System.nanoTime();
            int header = (frame[1] & 0x7F) < 126 ? 6 : 8;
            session.wire().writeRaw(java.util.Arrays.copyOf(frame, header));
            for (int at = header; at < frame.length - 1 && elapsed(start).compareTo(bound) < 0; at++) {
                int read = session.wire().poll(Duration.ofSeconds(1));
                if (read == -1) {
                    return Outcome.pass("closed after " + seconds(elapsed(start)));
                }
                if (read == 0x88) {
                    return Outcome.pass("close frame after " + seconds(elapsed(start)));
                }
                try {
                    session.wire().writeRaw(new byte[] {frame[at]});
                } catch (IOException e) {
                    return Outcome.pass("closed after " + seconds(elapsed(start)));
                }
            }
            return Outcome.finding("still open after " + seconds(elapsed(start)) + ", the message unfinished (idle"
                    + " timeout given: " + seconds(idle) + ")");
        }
    }

    /**
     * A session with a small receive buffer sends the bulk message within the message rate for a while and reads
     * nothing; then reads what came. A guarded endpoint bounds what it queues for one client and closes.
     */
    static Outcome slowReader(Run run) throws IOException, InterruptedException {
        String message = run.target.bulkMessage().orElse(run.target.sample());
        Duration spacing = run.target.messageRate().map(r -> r.spacing().multipliedBy(5).dividedBy(4))
                .orElse(Duration.ofMillis(100));
        Duration during = run.target.replyTimeout().multipliedBy(3);
        try (Run.Session session = run.session(run.token, 4096)) {
            Thread writer = new Thread(() -> {
                long end = System.nanoTime() + during.toNanos();
                try {
                    while (System.nanoTime() < end) {
                        session.wire().sendText(message);
                        Thread.sleep(Math.max(1, spacing.toMillis()));
                    }
                } catch (IOException | InterruptedException e) {
                    // The server closed, or stopped reading too: either way the writing is over.
                }
            }, "wsguard-probe-slow-reader");
            writer.setDaemon(true);
            writer.start();
            writer.join(during.plusSeconds(2).toMillis());
            long bytes = 0;
            long readUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < readUntil) {
                Event e = session.wire().next(run.target.replyTimeout());
                if (e instanceof Event.Text t) {
                    bytes += t.bytes();
                    continue;
                }
                if (e instanceof Event.Closed c) {
                    return bounded("close " + c.code(), bytes);
                }
                if (e instanceof Event.Gone g) {
                    return bounded(g.why(), bytes);
                }
                break;
            }
            writer.interrupt();
            return bytes >= UNREAD_BOUND
                    ? Outcome.finding(bytes / 1024 + " KiB queued for a client that read nothing, no close")
                    : Outcome.notRun("the answers (" + bytes / 1024 + " KiB) were too small to fill the buffers:"
                    + " give a bulk message with a large answer");
        }
    }

    /** A close or drop passes when it came before {@link #UNREAD_BOUND} was queued for the client; later, a finding. */
    private static Outcome bounded(String end, long bytes) {
        String observed = end + " after " + bytes / 1024 + " KiB unread";
        return bytes < UNREAD_BOUND ? Outcome.pass(observed) : Outcome.finding(observed + ", over the 4 MiB bound");
    }

    /** More sessions than one client may hold, each within the handshake rate; one must be refused. */
    static Outcome connections(Run run, FloodAttack flood) throws IOException {
        int max = run.target.maxConnections().orElseThrow(() -> new Outcome.Skip("no connection limit given"));
        int count = flood.sentAgainst(max);
        List<Wire> open = new ArrayList<>();
        List<Wire> upgraded = new ArrayList<>();
        try {
            for (int n = 1; n <= count; n++) {
                Wire wire = run.connect();
                open.add(wire);
                Wire.Response response;
                try {
                    response = run.upgrade(wire, run.target.origin(), run.token, run.target.carrier());
                } catch (EOFException e) {
                    return Outcome.pass("connection " + n + " dropped without an answer");
                }
                if (response.status() != 101) {
                    return Outcome.pass("connection " + n + " refused: HTTP " + response.status());
                }
                upgraded.add(wire);
                for (Event e : wire.collect(Duration.ofMillis(200), 20)) {
                    if (!(e instanceof Event.Text)) {
                        return Outcome.pass("connection " + n + ": 101, then " + Controls.describe(run, e));
                    }
                }
            }
            return Outcome.finding(count + " connections held at once (limit given: " + max + ")");
        } finally {
            // The sessions are the token's: closed as a client closes them, so that the next attack with the same
            // token finds its slots free (a server may learn only later of a connection that just went).
            upgraded.forEach(wire -> wire.closeNormally(Duration.ofMillis(500)));
            open.forEach(Wire::close);
        }
    }

    /** Well over the message rate in one burst on one session; some must be refused. */
    static Outcome messageRate(Run run, FloodAttack flood) throws IOException, InterruptedException {
        Rate rate = run.target.messageRate().orElseThrow(() -> new Outcome.Skip("no message rate given"));
        int burst = flood.sentAgainst(rate.count());
        String sample = run.target.sample();
        try (Run.Session session = run.session(run.token)) {
            byte[] frame = Wire.frame(Wire.TEXT, true, sample.getBytes(StandardCharsets.UTF_8));
            Wire.Writer writer = session.wire().sendInBackground(Collections.nCopies(burst, frame));
            int answered = 0;
            int refused = 0;
            String end = "";
            long until = System.nanoTime() + rate.period().multipliedBy(3).plusSeconds(5).toNanos();
            while (answered + refused < burst && System.nanoTime() < until) {
                Event e = session.wire().next(run.target.replyTimeout());
                if (e instanceof Event.Text t) {
                    if (run.refusal(t.text(), sample)) {
                        refused++;
                    } else {
                        answered++;
                    }
                    continue;
                }
                end = e instanceof Event.Silent ? "" : ", then " + Controls.describe(run, e);
                break;
            }
            writer.join(Duration.ofSeconds(2));
            String observed = burst + " sent, " + answered + " answered, " + refused + " refused" + end;
            return refused > 0 || !end.isEmpty() ? Outcome.pass(observed) : Outcome.finding(observed);
        }
    }

    /**
     * One user's rate crossed by one message, sent alternately on two of the user's sessions so that neither comes
     * near a per-session limit; the earlier messages of the user's list set each session up (a chat's subscribe). A
     * refusal frame or a close on either session passes; every message served is a finding.
     */
    static Outcome userMessageRate(Run run, FloodAttack flood) throws IOException {
        Rate rate = run.target.userMessageRate().orElseThrow(() -> new Outcome.Skip("no user message rate given"));
        List<String> messages = run.target.userRateMessages();
        String message = messages.get(messages.size() - 1);
        List<String> setup = messages.subList(0, messages.size() - 1);
        int count = flood.sentAgainst(rate.count());
        try (Run.Session first = run.session(run.token, setup); Run.Session second = run.session(run.token, setup)) {
            List<Run.Session> sessions = List.of(first, second);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                try {
                    sessions.get(i % 2).wire().sendText(message);
                } catch (IOException e) {
                    return Outcome.pass("message " + (i + 1) + ": the connection was dropped");
                }
            }
            Duration took = elapsed(start);
            int answered = 0;
            for (Run.Session session : sessions) {
                for (Event e : session.wire().collect(run.target.replyTimeout(), count * 2 + 10)) {
                    if (!(e instanceof Event.Text t)) {
                        return Outcome.pass(count + " sent on 2 sessions, then " + Controls.describe(run, e));
                    }
                    if (run.refusal(t.text(), message)) {
                        return Outcome.pass(count + " sent on 2 sessions, refused: " + run.show(t.text()));
                    }
                    answered++;
                }
            }
            String observed = count + " sent on 2 sessions in " + seconds(took) + ", " + answered
                    + " answers, none a refusal (rate given: " + rate + ")";
            return took.compareTo(rate.period()) < 0 ? Outcome.finding(observed)
                    : Outcome.notRun(observed + ": sending took longer than the period");
        }
    }

    /** Handshakes as fast as they go, up to twice the rate and five more; one must be refused. */
    static Outcome handshakeRate(Run run, FloodAttack flood) throws IOException {
        Rate rate = run.target.handshakeRate().orElseThrow(() -> new Outcome.Skip("no handshake rate given"));
        int count = flood.sentAgainst(rate.count());
        long start = System.nanoTime();
        Duration bound = rate.period().multipliedBy(2).plusSeconds(10);
        int n = 0;
        while (n < count && elapsed(start).compareTo(bound) < 0) {
            n++;
            try (Wire wire = run.connectNow(0)) {
                Wire.Response response = run.upgrade(wire, run.target.origin(), run.token, run.target.carrier());
                if (response.status() != 101) {
                    return Outcome.pass("handshake " + n + " refused: HTTP " + response.status() + " after "
                            + seconds(elapsed(start)));
                }
            } catch (EOFException e) {
                return Outcome.pass("handshake " + n + " dropped without an answer");
            }
        }
        return Outcome.finding(n + " handshakes in " + seconds(elapsed(start)) + ", none refused (rate given: "
                + rate + ")");
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
