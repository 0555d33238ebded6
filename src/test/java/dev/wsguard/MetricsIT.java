package dev.wsguard;

import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.GuardedChat;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.testing.telemetry.Await;
import dev.wsguard.testing.telemetry.Handshakes;
import dev.wsguard.tyrus.GuardedServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Meters and the JMX view move as attacks run against a real Tyrus server, and invented origins, channels and
 * message types cannot grow the registry.
 */
class MetricsIT {

    static final String ORIGIN = "https://chat.test";
    static final String TENANTS = "https://*.tenants.chat.test";
    static final String ENDPOINT = "/guarded";
    static final String FORBIDDEN = "{\"type\":\"error\",\"code\":\"forbidden\"}";
    static SimpleMeterRegistry registry;
    static GuardedServer server;

    @BeforeAll
    static void start() throws Exception {
        registry = new SimpleMeterRegistry();
        TestGuard.config = GuardConfig.builder()
                .allowedOrigins(ORIGIN, TENANTS)
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE)
                .handshakeRateLimit(1_000_000, Duration.ofSeconds(1))
                .rateLimit("session", 1_000_000, Duration.ofSeconds(1))
                .maxViolations(1_000_000)
                .bansEnabled(false)
                .meterRegistry(registry)
                .build();
        server = GuardedServer.builder().endpoint(GuardedChat.class).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static double count(String name, String... tags) {
        var search = registry.find(name).tag("endpoint", ENDPOINT).tags(tags);
        return search.counters().stream().mapToDouble(c -> c.count()).sum();
    }

    static double gauge(String name) {
        var g = registry.find(name).tag("endpoint", ENDPOINT).gauge();
        return g == null ? Double.NaN : g.value();
    }

    static int handshake(String origin, String token) throws Exception {
        RawHandshake request = RawHandshake.to(server.uri(ENDPOINT));
        if (origin != null) {
            request.origin(origin);
        }
        if (token != null) {
            request.bearer(token);
        }
        return Handshakes.send(request, server.uri(ENDPOINT), "127.0.0.1").status();
    }

    static String user(String subject) {
        return TestTokens.token().subject(subject).tenant("acme").scope("chat:read chat:write").groups("user").sign();
    }

    @Test
    void metricsWhenHandshakeAttacksThenCountedByReasonAndAllowlistEntry() throws Exception {
        double evil = count("wsguard.handshakes", "outcome", "rejected", "reason", "ORIGIN_NOT_ALLOWED",
                "origin", "other");
        double missing = count("wsguard.handshakes", "reason", "TOKEN_MISSING", "origin", ORIGIN);
        double tenant = count("wsguard.handshakes", "reason", "TOKEN_MALFORMED", "origin", TENANTS);
        double accepted = count("wsguard.handshakes", "outcome", "accepted", "reason", "none", "origin", ORIGIN);

        assertThat(handshake("https://evil.test", user("alice"))).isEqualTo(403);
        assertThat(handshake(ORIGIN, null)).isEqualTo(401);
        assertThat(handshake("https://a1.tenants.chat.test", "not.a.token")).isEqualTo(401);
        assertThat(handshake(ORIGIN, user("alice"))).isEqualTo(101);

        assertThat(count("wsguard.handshakes", "outcome", "rejected", "reason", "ORIGIN_NOT_ALLOWED", "origin",
                "other")).isEqualTo(evil + 1);
        assertThat(count("wsguard.handshakes", "reason", "TOKEN_MISSING", "origin", ORIGIN)).isEqualTo(missing + 1);
        assertThat(count("wsguard.handshakes", "reason", "TOKEN_MALFORMED", "origin", TENANTS)).isEqualTo(tenant + 1);
        assertThat(count("wsguard.handshakes", "outcome", "accepted", "reason", "none", "origin", ORIGIN))
                .isEqualTo(accepted + 1);
    }

    @Test
    void metricsWhenMessageAttacksThenMessagesRateLimitsClosesAndOpenConnectionsMove() throws Exception {
        // A session another test opened may still be closing: its close would move the counters read below.
        Await.until("no session left open by another test", Duration.ofSeconds(5),
                () -> gauge("wsguard.connections.open") == 0);
        double denied = count("wsguard.messages", "outcome", "denied", "reason", "ROLE_MISSING", "type", "kick");
        double limited = count("wsguard.messages", "outcome", "rate_limited", "type", "publish");
        double hits = count("wsguard.ratelimit.hits", "phase", "message");
        double subscribed = count("wsguard.channel.messages", "type", "subscribe", "channel",
                "tenant:{tenant}:{room}");
        double malformed = count("wsguard.guard.closes", "reason", "MESSAGE_MALFORMED", "code", "1007");
        // The test client drops the connection (abort): the server sees 1006.
        double dropped = count("wsguard.sessions.closed", "code", "1006");
        long durations = registry.find("wsguard.session.duration").timers().stream().mapToLong(t -> t.count()).sum();

        try (WsClient c = WsClient.connect(server.uri(ENDPOINT), ORIGIN, user("mmetrics"))) {
            Await.until("one open connection", Duration.ofSeconds(5), () -> gauge("wsguard.connections.open") == 1);
            assertThat(c.send("{\"type\":\"kick\",\"user\":\"bob\"}").next()).isEqualTo(FORBIDDEN);
            assertThat(c.send("{\"type\":\"subscribe\",\"channel\":\"tenant:acme:general\"}").next())
                    .startsWith("{\"type\":\"subscribed\"");
            for (int i = 0; i < 4; i++) {
                c.send("{\"type\":\"publish\",\"channel\":\"tenant:acme:general\",\"text\":\"hi\"}").next();
            }
        }
        try (WsClient c = WsClient.connect(server.uri(ENDPOINT), ORIGIN, user("mmetrics2"))) {
            c.send("not json");
            assertThat(c.closeCode()).isEqualTo(1007);
        }
        Await.until("both closes counted", Duration.ofSeconds(5),
                () -> gauge("wsguard.connections.open") == 0
                        && count("wsguard.sessions.closed", "code", "1006") >= dropped + 1);

        assertThat(count("wsguard.messages", "outcome", "denied", "reason", "ROLE_MISSING", "type", "kick"))
                .isEqualTo(denied + 1);
        assertThat(count("wsguard.messages", "outcome", "rate_limited", "type", "publish")).isEqualTo(limited + 1);
        assertThat(count("wsguard.ratelimit.hits", "phase", "message")).isEqualTo(hits + 1);
        assertThat(count("wsguard.channel.messages", "type", "subscribe", "channel", "tenant:{tenant}:{room}"))
                .isEqualTo(subscribed + 1);
        assertThat(count("wsguard.guard.closes", "reason", "MESSAGE_MALFORMED", "code", "1007"))
                .isEqualTo(malformed + 1);
        Await.until("two session durations", Duration.ofSeconds(5), () -> registry.find("wsguard.session.duration")
                .timers().stream().mapToLong(t -> t.count()).sum() == durations + 2);
    }

    @Test
    void metricsWhenTenThousandInventedOriginsChannelsAndTypesThenMeterCountBounded() throws Exception {
        // Every code path once, so that every meter the attack can reach exists before counting.
        attackOrigins(0, 8);
        attackChannels(0, 8);
        Set<String> before = meterIds();

        attackOrigins(8, 10_000);
        attackChannels(8, 10_000);

        Set<String> after = meterIds();
        assertThat(after).as("no meter per invented value").isEqualTo(before);
        assertThat(after.size()).isLessThan(60);
        assertThat(String.join(",", after)).doesNotContain("evil", "x9999", "room9999", "globex");
        assertThat(count("wsguard.handshakes", "reason", "ORIGIN_NOT_ALLOWED", "origin", "other"))
                .isGreaterThanOrEqualTo(5_000);
    }

    /** Half invented foreign origins, half invented subdomains of the allowed wildcard (then no token). */
    static void attackOrigins(int from, int to) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = from; i < to; i++) {
                String origin = i % 2 == 0 ? "https://x" + i + ".evil.test" : "https://x" + i + ".tenants.chat.test";
                answers.add(pool.submit(() -> handshake(origin, null)));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get()).isEqualTo((from + i) % 2 == 0 ? 403 : 401);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Allowed and forbidden invented channels, and invented message types, on one session. */
    static void attackChannels(int from, int to) throws Exception {
        try (WsClient c = WsClient.connect(server.uri(ENDPOINT), ORIGIN, user("flood"))) {
            for (int i = from; i < to; i++) {
                String channel = (i % 2 == 0 ? "tenant:acme:room" : "tenant:globex:room") + i;
                c.send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
            }
            for (int i = from; i < to; i++) {
                String reply = c.next();
                assertThat(reply).isEqualTo(i % 2 == 0
                        ? "{\"type\":\"subscribed\",\"channel\":\"tenant:acme:room" + i + "\"}" : FORBIDDEN);
            }
        }
    }

    static Set<String> meterIds() {
        return registry.getMeters().stream().map(Meter::getId)
                .map(id -> id.getName() + id.getTags()).collect(Collectors.toSet());
    }

    @Test
    void jmxWhenAttacksRunThenGuardViewCounts() throws Exception {
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("dev.wsguard:type=Guard,endpoint=" + ObjectName.quote(ENDPOINT));
        assertThat(handshake(ORIGIN, user("jmx"))).as("registered at the first handshake").isEqualTo(101);
        long rejected = (Long) mbeans.getAttribute(name, "HandshakesRejected");
        long messagesRejected = (Long) mbeans.getAttribute(name, "MessagesRejected");

        assertThat(handshake("https://evil.test", null)).isEqualTo(403);
        try (WsClient c = WsClient.connect(server.uri(ENDPOINT), ORIGIN, user("jmx"))) {
            Await.until("open in JMX", Duration.ofSeconds(5), () -> attribute(mbeans, name, "OpenConnections") == 1);
            assertThat(c.send("{\"type\":\"kick\",\"user\":\"bob\"}").next()).isEqualTo(FORBIDDEN);
        }
        assertThat((Long) mbeans.getAttribute(name, "HandshakesRejected")).isEqualTo(rejected + 1);
        assertThat((Long) mbeans.getAttribute(name, "MessagesRejected")).isEqualTo(messagesRejected + 1);
        Await.until("closed in JMX", Duration.ofSeconds(5), () -> attribute(mbeans, name, "OpenConnections") == 0);
        assertThat(mbeans.getAttribute(name, "HandshakeRejectionsByReason")).isInstanceOf(
                javax.management.openmbean.TabularData.class);
        assertThat(((javax.management.openmbean.TabularData) mbeans.getAttribute(name,
                "HandshakeRejectionsByReason")).get(new Object[] {"ORIGIN_NOT_ALLOWED"})).isNotNull();
    }

    static long attribute(MBeanServer mbeans, ObjectName name, String attribute) {
        try {
            return (Long) mbeans.getAttribute(name, attribute);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
