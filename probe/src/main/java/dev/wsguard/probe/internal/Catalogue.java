package dev.wsguard.probe.internal;

import dev.wsguard.probe.Attack;
import dev.wsguard.probe.FloodAttack;
import dev.wsguard.probe.MessageAttack;
import dev.wsguard.probe.NotApplicable;
import dev.wsguard.probe.TokenCarrier;
import dev.wsguard.probe.UpgradeAttack;
import dev.wsguard.probe.UpgradeAttack.Request;
import dev.wsguard.probe.Report;
import dev.wsguard.probe.Result;
import dev.wsguard.probe.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

/**
 * The one list of attacks: data (id, title, the answer a guarded endpoint gives) next to the small strategy that runs
 * each. Controls run first and must pass, since a refusal proves nothing when the valid request is refused too; the
 * floods run last, the handshake flood at the very end, so their limits never blur another attack.
 */
public final class Catalogue {

    /** Runs one attack against a run's target. */
    @FunctionalInterface
    interface Strike {
        Outcome run(Run run) throws Exception;
    }

    /** Runs one flood, sending what its definition says against the limit the target gives. */
    @FunctionalInterface
    interface FloodStrike {
        Outcome run(Run run, FloodAttack flood) throws Exception;
    }

    /** What an attack needs to have passed before it means anything. */
    enum Needs { NOTHING, HANDSHAKE, SAMPLE }

    record Entry(Attack attack, Needs needs, Strike strike, UpgradeAttack upgrade, MessageAttack message,
            FloodAttack flood) {

        /**
         * This upgrade attack, not run when {@code reason} gives a reason for the target. The expired token (maybe a
         * command to run) is asked only by the attack that sends it.
         */
        Entry unless(Function<Target, String> reason) {
            UpgradeAttack u = upgrade;
            boolean sendsExpired = u.attack().id().equals("auth.expired");
            return new Entry(attack, needs, r -> {
                String why = reason.apply(r.target);
                return why != null ? Outcome.notRun(why) : r.expectRefusedUpgrade(u.requestFor(r.given(sendsExpired)));
            }, upgrade, null, null);
        }
    }

    private static final String BEFORE_101 = "refused: 403, or a close after the 101";
    private static final String BAD_TOKEN = "refused: 401, or a close after the 101";
    private static final String INVALID_TOKEN = "Bearer error=\"invalid_token\"";
    private static final String REFUSED = "an error frame or a close; never processed";

    private static final List<Entry> ENTRIES = List.of(
            entry("control.handshake", "Valid token, allowed origin", "101; the session opens", Needs.NOTHING,
                    Controls::handshake),
            entry("control.sample", "Valid token sends the sample message", "an answer that is not a refusal",
                    Needs.HANDSHAKE, Controls::sample),

            upgrade("origin.foreign", "Origin of another site", 403, null,
                    g -> g.request(Origins.foreign(), g.token())),
            upgrade("origin.prefix", "Look-alike origin: allowed host with a prefix", 403, null,
                    g -> g.request(Origins.prefixed(g.origin()), g.token())),
            upgrade("origin.suffix", "Look-alike origin: allowed host with a suffix", 403, null,
                    g -> g.request(Origins.suffixed(g.origin()), g.token())),
            upgrade("origin.null", "Origin: null (sandboxed frame, file:)", 403, null,
                    g -> g.request("null", g.token())),
            upgrade("origin.missing", "No Origin header", 403, null,
                    g -> g.request(null, g.token())).unless(Origins::missingAllowed),
            upgrade("origin.scheme", "Allowed host under the other scheme", 403, null,
                    g -> g.request(Origins.otherScheme(g.origin()), g.token())),
            upgrade("origin.port", "Allowed host on another port", 403, null,
                    g -> g.request(Origins.otherPort(g.origin()), g.token())),
            upgrade("origin.trailing-comma", "Allowed origin with a trailing comma", 403, null,
                    g -> g.request(g.origin() + ",", g.token())),
            upgrade("origin.two-in-one", "Allowed origin and another site's in one Origin value", 403, null,
                    g -> g.request(g.origin() + ", " + Origins.foreign(), g.token())),
            upgrade("origin.two-headers", "Two Origin headers: the allowed one, then another site's", 403, null,
                    g -> g.request(g.origin(), null).with("Origin", Origins.foreign())
                            .carrying(g.token(), g.carrier(), g.cookieName())),
            upgrade("origin.cookie", "Another site's page with the token in a cookie (cross-site hijacking)", 403,
                    null, g -> g.request(Origins.foreign(), null).with("Cookie", g.cookieName() + "=" + g.token())),

            upgrade("auth.none", "No token", 401, "Bearer", g -> g.request(g.origin(), null)),
            upgrade("auth.malformed", "A token that is not a JWS", 401, null,
                    g -> g.request(g.origin(), "wsguard-probe.not-a.token")),
            upgrade("auth.alg-none", "The valid token re-encoded with alg=none, no signature", 401, null,
                    g -> g.request(g.origin(), Tokens.algNone(g.token()))),
            upgrade("auth.hs256-public-key", "The valid token signed HS256 with the public key (PEM) as secret",
                    401, null, g -> g.request(g.origin(), Tokens.hs256WithKey(g.token(), Tokens.pem(g)))),
            upgrade("auth.hs256-public-key-der", "The valid token signed HS256 with the public key (DER) as secret",
                    401, null, g -> g.request(g.origin(), Tokens.hs256WithKey(g.token(), Tokens.der(g)))),
            upgrade("auth.tampered", "The valid token with a claim added, signature kept", 401, null,
                    g -> g.request(g.origin(), Tokens.tampered(g.token()))),
            upgrade("auth.foreign-key", "The valid token's claims signed with a key made by the probe", 401,
                    INVALID_TOKEN, g -> g.request(g.origin(), Signed.withForeignKey(g.token()))),
            upgrade("auth.expired", "An expired token", 401, INVALID_TOKEN,
                    g -> g.request(g.origin(), Tokens.expired(g))),
            upgrade("auth.not-yet-valid", "Signed with the test key, not valid for 10 minutes (nbf)", 401, null,
                    g -> g.request(g.origin(), Tokens.claim(g, "nbf", Signed.epoch(600)))),
            upgrade("auth.wrong-issuer", "Signed with the test key, another issuer", 401, null,
                    g -> g.request(g.origin(), Tokens.claim(g, "iss", "https://wsguard-probe.invalid"))),
            upgrade("auth.wrong-audience", "Signed with the test key, another audience", 401, null,
                    g -> g.request(g.origin(), Tokens.claim(g, "aud", "wsguard-probe-other"))),
            upgrade("auth.missing-exp", "Signed with the test key, no expiry", 401, null,
                    g -> g.request(g.origin(), Tokens.claim(g, "exp", null))),
            upgrade("auth.unknown-kid", "Signed with the test key under a key id the endpoint does not know", 401,
                    null, g -> g.request(g.origin(), Tokens.unknownKid(g))),
            upgrade("auth.two-headers", "Two Authorization headers, each with the valid token", 401, null,
                    g -> g.request(g.origin(), null).with("Authorization", "Bearer " + g.token())
                            .with("Authorization", "Bearer " + g.token())),
            upgrade("auth.two-tokens", "Two tokens in one Authorization header", 401, null,
                    g -> g.request(g.origin(), null)
                            .with("Authorization", "Bearer " + g.token() + "," + g.token())),
            upgrade("auth.subprotocol-twice", "The bearer subprotocol twice, each with the valid token", 401, null,
                    g -> g.request(g.origin(), null)
                            .with("Sec-WebSocket-Protocol", "bearer, " + g.token() + ", bearer, " + g.token())),
            upgrade("auth.query-token", "The valid token in the query string only", 401, null,
                    g -> Request.of(g.origin(), g.token(), TokenCarrier.QUERY, g.cookieName()))
                    .unless(Credentials::queryCarrier),
            entry("auth.token-echo", "A token comes back in the 101, a message, an error frame or a close reason",
                    "no token or token-like input sent back", Needs.HANDSHAKE, Credentials::echo),

            entry("authz.admin-message", "The less-privileged token sends the admin message", REFUSED, Needs.SAMPLE,
                    Messages::adminMessage),
            entry("authz.foreign-tenant", "The valid token sends the message for another tenant", REFUSED,
                    Needs.SAMPLE, Messages::foreignMessage),

            message("inject.malformed-json", "The sample without its closing brace",
                    g -> Payloads.malformed(g.sample())),
            message("inject.unknown-type", "The sample with an unknown type", g -> Payloads.unknownType(g.sample())),
            message("inject.unknown-field", "The sample with an unknown field",
                    g -> Payloads.withMember(g.sample(), "wsguardProbeField", "1")),
            message("inject.duplicate-key", "The sample with one key twice, the first time with another value",
                    g -> Payloads.duplicateKey(g.sample())),
            message("inject.deep-nesting", "Arrays nested 2,000 deep (within the size limit) in a field of the sample",
                    Payloads::deepNesting),
            message("inject.huge-number", "A 1,000-digit number in a field of the sample",
                    g -> Payloads.inField(g.sample(), "wsguardProbeNumber", "9".repeat(1000))),
            message("inject.huge-exponent", "A number no double holds (1e400) in a field of the sample",
                    g -> Payloads.inField(g.sample(), "wsguardProbeNumber", "1e400")),
            message("inject.long-string", "The sample with a string of 3/4 of the size limit",
                    g -> Payloads.withMember(g.sample(), "wsguardProbeText",
                            "\"" + "a".repeat(g.maxMessageBytes() * 3 / 4) + "\"")),
            message("inject.trailing-data", "The sample followed by a second JSON value", g -> g.sample() + " {}"),
            entry("inject.markup-echo", "The echo message's strings, one at a time, set to a quote and an HTML element",
                    "the element never comes back outside a JSON string", Needs.SAMPLE, Messages::markupEcho),

            size("size.oversized-frame", "One frame 1 KiB over the size limit", false,
                    g -> List.of(Payloads.padded(g.sample(), g.maxMessageBytes() + 1024))),
            size("size.oversized-fragments", "A message 1 KiB over the limit in 9 fragments", false,
                    g -> Payloads.fragments(Payloads.padded(g.sample(), g.maxMessageBytes() + 1024), 9)),
            size("size.huge-fragments", "A 64 MiB message in 1 MiB fragments (writing stops once answered)", true,
                    g -> Payloads.huge(g.sample(), 64, 1 << 20)),
            size("size.huge-frame", "One frame of 10 MiB", false, g -> Payloads.huge(g.sample(), 1, 10 << 20)),

            entry("transport.plain-ws", "Plain ws:// to the wss:// port", "no 101 without TLS", Needs.HANDSHAKE,
                    Credentials::plainWs),

            entry("slow.handshake", "Slowloris: a request head never finished",
                    "closed within the handshake timeout", Needs.HANDSHAKE, Load::slowHandshake),
            entry("slow.message", "Slowloris after the upgrade: a message trickled one byte a second",
                    "closed within the idle timeout", Needs.SAMPLE, Load::slowMessage),
            entry("slow.reader", "A client that stops reading while answers pile up",
                    "close (1013) or drop once its queue is full", Needs.SAMPLE, Load::slowReader),

            flood("flood.connections", "One client opens three connections more than allowed",
                    "the one past the limit refused (429)", Needs.HANDSHAKE, n -> n + 3, Load::connections),
            flood("flood.message-rate", "Three times the message rate and ten more, in one burst",
                    "rate-limit error frames or a close (4429)", Needs.SAMPLE,
                    n -> Math.min(Load.MAX_BURST, n * 3 + 10), Load::messageRate),
            flood("flood.user-message-rate", "One user sends one message over its rate, alternating two sessions",
                    "the one past the limit refused (rate-limit error frame or close)", Needs.SAMPLE, n -> n + 1,
                    Load::userMessageRate),
            flood("flood.handshake-rate", "Handshakes at twice the handshake rate and five more",
                    "a handshake past the rate refused (429)", Needs.HANDSHAKE,
                    n -> Math.min(Load.MAX_BURST, n * 2 + 5), Load::handshakeRate));

    private Catalogue() {
    }

    private static Entry entry(String id, String title, String expected, Needs needs, Strike strike) {
        return new Entry(new Attack(id, id.substring(0, id.indexOf('.')), title, expected), needs, strike, null, null,
                null);
    }

    /** A flood of {@code sent} connections, handshakes or messages against a limit the operator gave. */
    private static Entry flood(String id, String title, String expected, Needs needs, IntUnaryOperator sent,
            FloodStrike strike) {
        Attack attack = new Attack(id, id.substring(0, id.indexOf('.')), title, expected);
        FloodAttack flood = new FloodAttack(attack, sent);
        return new Entry(attack, needs, r -> strike.run(r, flood), null, null, flood);
    }

    /**
     * A message over the size limit, sent in {@code fragments}: any close 1009 or 1008 (or a drop) while it is
     * written passes; wsguard closes {@code 1009}.
     */
    private static Entry size(String id, String title, boolean midway,
            Function<MessageAttack.Given, List<String>> fragments) {
        Attack attack = new Attack(id, "size", title, midway ? "close 1009 (or 1008) long before the end is sent"
                : "close 1009 (or 1008) while reading");
        MessageAttack m = new MessageAttack(attack, 1009, midway, fragments);
        return new Entry(attack, Needs.SAMPLE, r -> Messages.oversized(r, m), null, m, null);
    }

    /**
     * An attack of one upgrade request: refused by any status but 101, or by a close or refusal right after it; a
     * wsguard endpoint answers {@code status} (and {@code challenge}, when given) before the 101.
     */
    private static Entry upgrade(String id, String title, int status, String challenge,
            Function<UpgradeAttack.Given, Request> request) {
        Attack attack = new Attack(id, id.substring(0, id.indexOf('.')), title, status == 403 ? BEFORE_101 : BAD_TOKEN);
        UpgradeAttack upgrade = new UpgradeAttack(attack, status, Optional.ofNullable(challenge), request);
        return new Entry(attack, Needs.HANDSHAKE, null, upgrade, null, null).unless(t -> null);
    }

    /** An attack of one message on a session of the valid token: any refusal passes; wsguard closes {@code 1007}. */
    private static Entry message(String id, String title, Function<MessageAttack.Given, String> message) {
        Attack attack = new Attack(id, id.substring(0, id.indexOf('.')), title, REFUSED);
        MessageAttack m = new MessageAttack(attack, 1007, false, g -> List.of(message.apply(g)));
        return new Entry(attack, Needs.SAMPLE, r -> Messages.send(r, message.apply(r.messageGiven())), null, m,
                null);
    }

    /** The floods, in running order. */
    public static List<FloodAttack> floodAttacks() {
        return ENTRIES.stream().map(Entry::flood).filter(Objects::nonNull).toList();
    }

    /** The attacks of one message, in running order. */
    public static List<MessageAttack> messageAttacks() {
        return ENTRIES.stream().map(Entry::message).filter(Objects::nonNull).toList();
    }

    /** The attacks of one upgrade request, in running order. */
    public static List<UpgradeAttack> upgradeAttacks() {
        return ENTRIES.stream().map(Entry::upgrade).filter(Objects::nonNull).toList();
    }

    /** Every attack, in running order. */
    public static List<Attack> attacks() {
        return ENTRIES.stream().map(Entry::attack).toList();
    }

    /** Runs the controls and the selected attacks against {@code target}. */
    public static Report run(Target target, Consumer<Result> progress) {
        Instant started = Instant.now();
        List<Result> results = new ArrayList<>();
        Run run;
        try {
            run = new Run(target);
        } catch (RuntimeException e) {
            String why = "cannot run: " + e.getMessage();
            for (Entry entry : ENTRIES) {
                record(results, progress, new Result(entry.attack(), Verdict.NOT_RUN, why, Duration.ZERO));
            }
            return new Report(target.uri(), started, Duration.between(started, Instant.now()), results);
        }
        boolean handshake = false;
        boolean sample = false;
        for (Entry entry : ENTRIES) {
            Attack attack = entry.attack();
            if (!attack.category().equals("control") && !target.selected().test(attack.id())) {
                continue;
            }
            String missing = entry.needs() == Needs.HANDSHAKE && !handshake ? "control.handshake did not pass"
                    : entry.needs() == Needs.SAMPLE && !sample ? "control.sample did not pass" : null;
            Result result = missing != null
                    ? new Result(attack, Verdict.NOT_RUN, missing, Duration.ZERO) : strike(run, entry);
            record(results, progress, result);
            if (attack.id().equals("control.handshake")) {
                handshake = result.verdict() == Verdict.PASS;
            } else if (attack.id().equals("control.sample")) {
                sample = result.verdict() == Verdict.PASS;
            }
        }
        return new Report(target.uri(), started, Duration.between(started, Instant.now()), results);
    }

    private static void record(List<Result> results, Consumer<Result> progress, Result result) {
        results.add(result);
        progress.accept(result);
    }

    private static Result strike(Run run, Entry entry) {
        long start = System.nanoTime();
        Outcome outcome;
        try {
            outcome = entry.strike().run(run);
        } catch (NotApplicable e) {
            outcome = Outcome.notRun(e.getMessage());
        } catch (Exception e) {
            outcome = Outcome.notRun("could not decide: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + run.show(e.getMessage())));
        }
        return new Result(entry.attack(), outcome.verdict(), run.show(outcome.observed()),
                Duration.ofNanos(System.nanoTime() - start));
    }
}
