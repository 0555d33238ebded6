package dev.wsguard.probe.internal;

import dev.wsguard.probe.MessageAttack;
import dev.wsguard.probe.TokenCarrier;
import dev.wsguard.probe.UpgradeAttack;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One run of the catalogue against one target: the tokens asked once, the pacing that keeps every attack but the
 * handshake flood within the operator's handshake rate, and the ways of opening and judging a session that the
 * attacks share.
 */
final class Run {

    /** How long greetings may take to arrive after a 101, before the probe sends anything. */
    private static final Duration SETTLE = Duration.ofMillis(250);

    final Target target;
    final String token;
    private final List<String> secrets = new ArrayList<>();
    private long lastConnect;

    Run(Target target) {
        this.target = target;
        this.token = remember(target.token().get(), "the valid token");
    }

    /** The low or expired token, asked now, or a skip saying it was not given. */
    String optionalToken(Optional<Supplier<String>> supplier, String what) {
        return remember(supplier.orElseThrow(() -> new Outcome.Skip("no " + what + " given")).get(), what);
    }

    private String remember(String secret, String what) {
        if (secret == null || secret.isBlank()) {
            throw new Outcome.Skip(what + " is empty");
        }
        String s = secret.strip();
        secrets.add(s);
        for (String part : s.split("\\.")) {
            if (part.length() >= 16) {
                secrets.add(part);
            }
        }
        return s;
    }

    /** {@code text} clipped and with every token this run knows replaced. */
    String show(String text) {
        return Text.clip(Text.redact(text, secrets), 120);
    }

    List<String> secrets() {
        return List.copyOf(secrets);
    }

    /** A TCP (TLS for wss) connection, after waiting as long as the handshake rate asks. */
    Wire connect() throws IOException {
        pace();
        return connectNow(0);
    }

    /** A connection without pacing, for the handshake flood; {@code receiveBuffer} 0 for the default. */
    Wire connectNow(int receiveBuffer) throws IOException {
        return Wire.connect(target.uri(), target.secure(), target.insecureTls(), target.replyTimeout()
                .plusSeconds(3), receiveBuffer).host(authority(target.uri()));
    }

    void pace() {
        target.handshakeRate().ifPresent(rate -> {
            long wait = lastConnect + rate.spacing().toNanos() - System.nanoTime();
            if (wait > 0) {
                sleep(Duration.ofNanos(wait));
            }
            lastConnect = System.nanoTime();
        });
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(0, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Outcome.Skip("interrupted");
        }
    }

    static String authority(URI uri) {
        return uri.getPort() > 0 ? uri.getHost() + ":" + uri.getPort() : uri.getHost();
    }

    /** Sends an upgrade request on {@code wire} with an optional origin and token. */
    Wire.Response upgrade(Wire wire, String origin, String token, TokenCarrier carrier) throws IOException {
        return upgrade(wire, UpgradeAttack.Request.of(origin, token, carrier, target.cookieName()));
    }

    /** Sends {@code request} on {@code wire}, its query added to the URL's own. */
    Wire.Response upgrade(Wire wire, UpgradeAttack.Request request) throws IOException {
        String path = Optional.ofNullable(target.uri().getRawPath()).filter(p -> !p.isEmpty()).orElse("/");
        String query = target.uri().getRawQuery();
        if (request.query() != null) {
            query = (query == null ? "" : query + "&") + request.query();
        }
        return wire.handshake(query == null ? path : path + "?" + query, request.headers(), target.replyTimeout());
    }

    /** What the message attacks are built from. */
    MessageAttack.Given messageGiven() {
        return new MessageAttack.Given(target.sample(), target.maxMessageBytes());
    }

    /** What the upgrade attacks are built from; the expired token is asked only when {@code expired}. */
    UpgradeAttack.Given given(boolean expired) {
        return new UpgradeAttack.Given(target.origin(), token, target.carrier(), target.cookieName(),
                expired && target.expiredToken().isPresent()
                        ? Optional.of(optionalToken(target.expiredToken(), "expired token")) : Optional.empty(),
                target.publicKey().map(k -> new String(k, StandardCharsets.US_ASCII)), target.signingKey());
    }

    /**
     * The common judgement of a handshake that must be refused: refused before the 101 passes; after a 101 the
     * sample is sent, and the session must close or refuse it.
     */
    Outcome expectRefusedUpgrade(UpgradeAttack.Request request) throws IOException {
        try (Wire wire = connect()) {
            Wire.Response response;
            try {
                response = upgrade(wire, request);
            } catch (EOFException e) {
                return Outcome.pass("connection closed without an answer");
            }
            if (response.status() != 101) {
                return Outcome.pass("HTTP " + response.status());
            }
            List<Event> greetings = wire.collect(SETTLE, 20);
            Optional<Outcome> ended = ended(greetings, "101, then ");
            if (ended.isPresent()) {
                return ended.get();
            }
            try {
                wire.sendText(target.sample());
            } catch (IOException e) {
                return Outcome.pass("101, then the connection was dropped");
            }
            return judge(wire.next(target.replyTimeout()), target.sample(), "101, then ",
                    Outcome.finding("101; the session stayed open"));
        }
    }

    private static Optional<Outcome> ended(List<Event> events, String prefix) {
        for (Event e : events) {
            if (e instanceof Event.Closed c) {
                return Optional.of(Outcome.pass(prefix + "close " + c.code()));
            }
            if (e instanceof Event.Gone g) {
                return Optional.of(Outcome.pass(prefix + g.why()));
            }
        }
        return Optional.empty();
    }

    /** True when {@code reply} reads as a refusal of {@code sent} (and is not simply {@code sent} echoed). */
    boolean refusal(String reply, String sent) {
        return !reply.equals(sent) && target.refusal().matcher(reply).find();
    }

    /** An open session for {@code token} with the allowed origin, its greetings read; a skip when refused. */
    Session session(String token) throws IOException {
        return session(token, 0);
    }

    Session session(String token, int receiveBuffer) throws IOException {
        pace();
        Wire wire = connectNow(receiveBuffer);
        try {
            Wire.Response response = upgrade(wire, target.origin(), token, target.carrier());
            if (response.status() != 101) {
                throw new Outcome.Skip("the handshake with this token was refused: HTTP " + response.status());
            }
            List<Event> greetings = wire.collect(SETTLE, 20);
            if (ended(greetings, "").isPresent()) {
                throw new Outcome.Skip("the session closed right after the 101");
            }
            return new Session(wire, response, greetings);
        } catch (IOException | RuntimeException e) {
            wire.close();
            throw e;
        }
    }

    /**
     * A session as {@link #session(String)}, after each of {@code setup} was sent and answered (a chat's subscribe
     * before its posts); a skip when one is refused.
     */
    Session session(String token, List<String> setup) throws IOException {
        Session session = session(token);
        try {
            for (String message : setup) {
                session.wire().sendText(message);
                Event e = session.wire().next(target.replyTimeout());
                if (!(e instanceof Event.Text t) || refusal(t.text(), message)) {
                    throw new Outcome.Skip("the message sent first got " + Controls.describe(this, e) + ": "
                            + show(message));
                }
                session.wire().collect(Duration.ofMillis(100), 20);
            }
            return session;
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** The common judgement of a message that must be refused: a close, a refusal frame, or no answer. */
    Outcome expectRefusedMessage(Session session, String message) {
        try {
            session.wire().sendText(message);
        } catch (IOException e) {
            return Outcome.pass("the connection was dropped while sending");
        }
        return judge(session.wire().next(target.replyTimeout()), message, "", Outcome.pass("no answer within "
                + target.replyTimeout().toMillis() + " ms (dropped)"));
    }

    /**
     * A close, a lost connection or a refusal frame passes; any other answer to {@code sent} is a finding; silence
     * gives {@code onSilence}.
     */
    Outcome judge(Event next, String sent, String prefix, Outcome onSilence) {
        if (next instanceof Event.Closed c) {
            return Outcome.pass(prefix + "close " + c.code() + (c.reason().isEmpty() ? "" : " " + show(c.reason())));
        }
        if (next instanceof Event.Gone g) {
            return Outcome.pass(prefix + g.why());
        }
        if (next instanceof Event.Text t) {
            return refusal(t.text(), sent) ? Outcome.pass(prefix + "refused: " + show(t.text()))
                    : Outcome.finding(prefix.isEmpty() ? "answered: " + show(t.text())
                    : prefix + "answered: " + show(t.text()));
        }
        return onSilence;
    }

    /** An open session: its wire, the 101 and what the server sent before the probe spoke. */
    record Session(Wire wire, Wire.Response response, List<Event> greetings) implements AutoCloseable {
        @Override
        public void close() {
            wire.close();
        }
    }
}
