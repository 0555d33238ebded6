package dev.wsguard.probe.internal;

import dev.wsguard.probe.Attack;
import dev.wsguard.probe.Report;
import dev.wsguard.probe.Result;
import dev.wsguard.probe.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

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

    /** What an attack needs to have passed before it means anything. */
    enum Needs { NOTHING, HANDSHAKE, SAMPLE }

    record Entry(Attack attack, Needs needs, Strike strike) {
    }

    private static final String BEFORE_101 = "refused: 403, or a close after the 101";
    private static final String BAD_TOKEN = "refused: 401, or a close after the 101";
    private static final String REFUSED = "an error frame or a close; never processed";

    private static final List<Entry> ENTRIES = List.of(
            entry("control.handshake", "Valid token, allowed origin", "101; the session opens", Needs.NOTHING,
                    Controls::handshake),
            entry("control.sample", "Valid token sends the sample message", "an answer that is not a refusal",
                    Needs.HANDSHAKE, Controls::sample),

            entry("origin.foreign", "Origin of another site", BEFORE_101, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(Origins.foreign(), r.token, r.target.carrier())),
            entry("origin.prefix", "Look-alike origin: allowed host with a prefix", BEFORE_101, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(Origins.prefixed(r.target.origin()), r.token, r.target.carrier())),
            entry("origin.suffix", "Look-alike origin: allowed host with a suffix", BEFORE_101, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(Origins.suffixed(r.target.origin()), r.token, r.target.carrier())),
            entry("origin.null", "Origin: null (sandboxed frame, file:)", BEFORE_101, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade("null", r.token, r.target.carrier())),
            entry("origin.missing", "No Origin header", BEFORE_101, Needs.HANDSHAKE, Origins::missing),
            entry("origin.scheme", "Allowed host under the other scheme", BEFORE_101, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(Origins.otherScheme(r.target.origin()), r.token,
                            r.target.carrier())),
            entry("origin.port", "Allowed host on another port", BEFORE_101, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(Origins.otherPort(r.target.origin()), r.token, r.target.carrier())),

            entry("auth.none", "No token", BAD_TOKEN, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(r.target.origin(), null, r.target.carrier())),
            entry("auth.malformed", "A token that is not a JWS", BAD_TOKEN, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(r.target.origin(), "wsguard-probe.not-a.token", r.target.carrier())),
            entry("auth.alg-none", "The valid token re-encoded with alg=none, no signature", BAD_TOKEN,
                    Needs.HANDSHAKE, r -> r.expectRefusedUpgrade(r.target.origin(), Tokens.algNone(r.token),
                            r.target.carrier())),
            entry("auth.hs256-public-key", "The valid token signed HS256 with the public key as secret", BAD_TOKEN,
                    Needs.HANDSHAKE, r -> r.expectRefusedUpgrade(r.target.origin(), Tokens.hs256WithKey(r.token,
                            r.target.publicKey().orElseThrow(() -> new Outcome.Skip("no public key given"))),
                            r.target.carrier())),
            entry("auth.tampered", "The valid token with a claim added, signature kept", BAD_TOKEN, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(r.target.origin(), Tokens.tampered(r.token), r.target.carrier())),
            entry("auth.expired", "An expired token", BAD_TOKEN, Needs.HANDSHAKE,
                    r -> r.expectRefusedUpgrade(r.target.origin(), r.optionalToken(r.target.expiredToken(),
                            "expired token"), r.target.carrier())),
            entry("auth.query-token", "The valid token in the query string only", BAD_TOKEN, Needs.HANDSHAKE,
                    Credentials::queryToken),
            entry("auth.token-echo", "A token comes back in the 101, a message, an error frame or a close reason",
                    "no token or token-like input sent back", Needs.HANDSHAKE, Credentials::echo),

            entry("authz.admin-message", "The less-privileged token sends the admin message", REFUSED, Needs.SAMPLE,
                    Messages::adminMessage),
            entry("authz.foreign-tenant", "The valid token sends the message for another tenant", REFUSED,
                    Needs.SAMPLE, Messages::foreignMessage),

            entry("inject.malformed-json", "The sample without its closing brace", REFUSED, Needs.SAMPLE,
                    r -> Messages.send(r, Payloads.malformed(r.target.sample()))),
            entry("inject.unknown-type", "The sample with an unknown type", REFUSED, Needs.SAMPLE,
                    r -> Messages.send(r, Payloads.unknownType(r.target.sample()))),
            entry("inject.unknown-field", "The sample with an unknown field", REFUSED, Needs.SAMPLE,
                    r -> Messages.send(r, Payloads.withMember(r.target.sample(), "wsguardProbeField", "1"))),
            entry("inject.duplicate-key", "The sample with its first key twice", REFUSED, Needs.SAMPLE,
                    r -> Messages.send(r, Payloads.duplicateKey(r.target.sample()))),
            entry("inject.deep-nesting", "The sample with arrays nested 2,000 deep (within the size limit)", REFUSED,
                    Needs.SAMPLE, Messages::deepNesting),
            entry("inject.huge-number", "The sample with a 1,000-digit number", REFUSED, Needs.SAMPLE,
                    r -> Messages.send(r, Payloads.withMember(r.target.sample(), "wsguardProbeNumber",
                            "9".repeat(1000)))),
            entry("inject.long-string", "The sample with a string of 3/4 of the size limit", REFUSED, Needs.SAMPLE,
                    r -> Messages.send(r, Payloads.withMember(r.target.sample(), "wsguardProbeText",
                            "\"" + "a".repeat(r.target.maxMessageBytes() * 3 / 4) + "\""))),

            entry("size.oversized-frame", "One frame 1 KiB over the size limit", "close 1009 (or 1008) while reading",
                    Needs.SAMPLE, r -> Messages.oversized(r, false)),
            entry("size.oversized-fragments", "A message 1 KiB over the limit in 9 fragments",
                    "close 1009 (or 1008) while reading", Needs.SAMPLE, r -> Messages.oversized(r, true)),

            entry("transport.plain-ws", "Plain ws:// to the wss:// port", "no 101 without TLS", Needs.HANDSHAKE,
                    Credentials::plainWs),

            entry("slow.handshake", "Slowloris: a request head never finished",
                    "closed within the handshake timeout", Needs.HANDSHAKE, Load::slowHandshake),
            entry("slow.reader", "A client that stops reading while answers pile up",
                    "close (1013) or drop once its queue is full", Needs.SAMPLE, Load::slowReader),

            entry("flood.connections", "One client opens more connections than allowed",
                    "the one past the limit refused (429)", Needs.HANDSHAKE, Load::connections),
            entry("flood.message-rate", "A burst of three times the message rate",
                    "rate-limit error frames or a close (4429)", Needs.SAMPLE, Load::messageRate),
            entry("flood.handshake-rate", "Handshakes at twice the handshake rate",
                    "a handshake past the rate refused (429)", Needs.HANDSHAKE, Load::handshakeRate));

    private Catalogue() {
    }

    private static Entry entry(String id, String title, String expected, Needs needs, Strike strike) {
        return new Entry(new Attack(id, id.substring(0, id.indexOf('.')), title, expected), needs, strike);
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
        } catch (Outcome.Skip e) {
            outcome = Outcome.notRun(e.getMessage());
        } catch (Exception e) {
            outcome = Outcome.notRun("could not decide: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + run.show(e.getMessage())));
        }
        return new Result(entry.attack(), outcome.verdict(), run.show(outcome.observed()),
                Duration.ofNanos(System.nanoTime() - start));
    }
}
