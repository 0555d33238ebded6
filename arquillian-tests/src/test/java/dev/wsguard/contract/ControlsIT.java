package dev.wsguard.contract;

import dev.wsguard.contract.controls.ControlEndpoint;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The controls the contract suite cannot show with its raised limits, on the managed servers (WildFly 38/39, Payara
 * Micro 6/7): one WAR whose configuration raises nothing, each control on an endpoint of its own (the defaults, or
 * that one control set low in code: {@code dev.wsguard.contract.controls.ControlGuards}), an unguarded endpoint
 * beside them, and an inspector for what the server saw. Other clients are other loopback addresses (127.0.0.2, ...):
 * Linux routes all of 127/8 to the loopback interface, so the server sees each as its own peer.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ControlsIT {

    /** The JWKS endpoint of the slow-key-server case; its URL goes into the WAR, so it starts with the deployment. */
    private static KeyServer keys;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ArquillianResource
    private URL base;

    private final List<RawSocket> held = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive war() throws IOException {
        keys = KeyServer.start(Tokens.jwks());
        // The application's configuration with nothing raised: the contract suite's higher limits and extra token
        // sources left out, every other wsguard key at its default.
        String properties = Tokens.properties("wsguard.connections.max-per-user", "wsguard.token.sources",
                "wsguard.handshake.limit-for-period", "wsguard.bans.max-violations")
                + "controls.jwks.url=" + keys.url() + "\n";
        return ShrinkWrap.create(WebArchive.class, "controls.war")
                .addPackage(ControlEndpoint.class.getPackage())
                .addAsResource(new StringAsset(properties), "META-INF/microprofile-config.properties")
                .addAsLibraries(ContractIT.wsguardJars())
                .addAsLibraries(micrometerJars());
    }

    /** Micrometer as an application brings it: the core and what it needs at run time. */
    private static File[] micrometerJars() {
        return ContractIT.jarsOf(io.micrometer.core.instrument.MeterRegistry.class,
                io.micrometer.common.KeyValue.class, io.micrometer.observation.Observation.class,
                org.HdrHistogram.Histogram.class, org.LatencyUtils.LatencyStats.class);
    }

    @AfterAll
    static void stopKeyServer() {
        if (keys != null) {
            keys.close();
        }
    }

    @AfterEach
    void closeHeld() throws IOException {
        for (RawSocket socket : held) {
            socket.close();
        }
        held.clear();
    }

    // ------------------------------------------------------------------ helpers

    private URI at(String path) {
        // Payara reports its interface address; the servers listen on loopback too.
        return URI.create("ws://127.0.0.1:" + base.getPort() + base.getPath() + path);
    }

    /** The inspector's answer to {@code query}. */
    private String inspect(String query) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + base.getPort()
                + base.getPath() + "inspect?" + query)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.body();
    }

    /** How many security events of {@code name} (a reason or a kind) CDI delivered for the endpoint. */
    private int events(String endpoint, String name) throws Exception {
        return Integer.parseInt(value(inspect("events=" + endpoint + "&name=" + name), "count"));
    }

    private static String value(String lines, String name) {
        for (String line : lines.split("\n")) {
            if (line.startsWith(name + "=")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + name + " in " + lines);
    }

    /** Sockets from the loopback address {@code local}: another client to the server. */
    static SocketFactory from(String local) {
        return new SocketFactory() {
            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                    throws IOException {
                return new Socket(address, port, localAddress, localPort);
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return createSocket(host, port, InetAddress.getByName(local), 0);
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
                    throws IOException {
                return createSocket(InetAddress.getByName(host), port, localHost, localPort);
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return createSocket(InetAddress.getByName(host), port);
            }
        };
    }

    /** An upgrade with the allowed origin and {@code token} (null: none) from {@code local}, answer read, closed. */
    private RawUpgrade.Answer upgrade(String path, String token, String local, String... moreHeaders)
            throws IOException {
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Origin", Tokens.ORIGIN});
        if (token != null) {
            headers.add(new String[] {"Authorization", "Bearer " + token});
        }
        for (int i = 0; i < moreHeaders.length; i += 2) {
            headers.add(new String[] {moreHeaders[i], moreHeaders[i + 1]});
        }
        return RawUpgrade.request(at(path), null, headers, from(local));
    }

    /** Opens a session from {@code local} and keeps it (until the test ends); the answer's status. */
    private int hold(String path, String token, String local) throws IOException {
        RawSocket.Attempt attempt = RawSocket.attempt(at(path), token, local);
        if (attempt.socket() != null) {
            held.add(attempt.socket());
        }
        return attempt.status();
    }

    /** {@link #hold} until it is upgraded or five seconds pass: a slot comes back once the server saw the close. */
    private int holdSoon(String path, String token, String local) throws Exception {
        return holdWithin(Duration.ofSeconds(5), path, token, local);
    }

    private int holdWithin(Duration wait, String path, String token, String local) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        int status = hold(path, token, local);
        while (status != 101 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            status = hold(path, token, local);
        }
        return status;
    }

    private void release(int count) throws IOException {
        for (int i = 0; i < count; i++) {
            held.remove(held.size() - 1).close();
        }
    }

    private static String user(String prefix) {
        return ContractSuite.user(prefix);
    }

    // ------------------------------------------------------------------ before the 101

    @Test
    void handshakeWhenOneAddressOpensPastItsQuotaThen429AndOtherAddressesStillGetIn() throws Exception {
        int refusedBefore = events("address-quota", "CONNECTION_QUOTA_EXCEEDED");
        for (int i = 0; i < 5; i++) {
            assertThat(hold("open", null, "127.0.0.1")).as("unguarded: one address holds what it wants")
                    .isEqualTo(101);
        }
        assertThat(hold("address-quota", Tokens.valid(user("a")), "127.0.0.1")).isEqualTo(101);
        assertThat(hold("address-quota", Tokens.valid(user("b")), "127.0.0.1")).isEqualTo(101);
        RawUpgrade.Answer third = upgrade("address-quota", Tokens.valid(user("c")), "127.0.0.1");
        assertThat(third.status()).as("a third from the address, another user").isEqualTo(429);
        assertThat(third.header("Retry-After")).hasValue("10");
        assertThat(hold("address-quota", Tokens.valid(user("d")), "127.0.0.2")).as("another address").isEqualTo(101);
        assertThat(events("address-quota", "CONNECTION_QUOTA_EXCEEDED") - refusedBefore).isEqualTo(1);

        release(2); // 127.0.0.2's, then one of 127.0.0.1's
        assertThat(holdSoon("address-quota", Tokens.valid(user("e")), "127.0.0.1")).as("the slot came back")
                .isEqualTo(101);
    }

    /**
     * Clients that drop their connection right after reading the 101: Payara never noticed (its {@code @OnClose}
     * never ran, the slots stayed taken for good) until wsguard's probe: one ping a second after the open, and a
     * close when nothing answers within 5 s. The slots must come back all the same.
     */
    @Test
    void handshakeWhenClientsDropTheirConnectionsRightAfterThe101ThenTheirSlotsComeBack() throws Exception {
        for (int i = 0; i < 2; i++) {
            RawSocket.Attempt dropped = RawSocket.attempt(at("address-quota"), Tokens.valid(user("gone")), "127.0.0.6");
            assertThat(dropped.status()).isEqualTo(101);
            dropped.socket().close();
        }
        // Watched from the inspector, not with handshakes: retrying them would meet the handshake rate instead.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(9);
        while (Integer.parseInt(value(inspect("jmx=/address-quota"), "OpenConnections")) > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(hold("address-quota", Tokens.valid(user("back")), "127.0.0.6")).isEqualTo(101);
        assertThat(hold("address-quota", Tokens.valid(user("back")), "127.0.0.6")).as("both slots came back")
                .isEqualTo(101);
    }

    @Test
    void handshakeWhenEndpointFullThen429FromEveryAddressWhileOtherEndpointsTakeMore() throws Exception {
        assertThat(hold("endpoint-quota", Tokens.valid(user("a")), "127.0.0.1")).isEqualTo(101);
        assertThat(hold("endpoint-quota", Tokens.valid(user("b")), "127.0.0.2")).isEqualTo(101);
        RawUpgrade.Answer third = upgrade("endpoint-quota", Tokens.valid(user("c")), "127.0.0.3");
        assertThat(third.status()).as("a fresh address on the full endpoint").isEqualTo(429);
        assertThat(third.header("Retry-After")).hasValue("10");
        assertThat(hold("votes", Tokens.valid(user("d")), "127.0.0.3")).as("another endpoint").isEqualTo(101);

        release(2); // the other endpoint's, then 127.0.0.2's
        assertThat(holdSoon("endpoint-quota", Tokens.valid(user("e")), "127.0.0.3")).as("the slot came back")
                .isEqualTo(101);
    }

    @Test
    void handshakeWhenApplicationHoldsItsTotalOnOtherEndpointsThen429() throws Exception {
        // The total counts every guarded connection of the application, whichever endpoint holds it. Held by clients
        // that answer pings: on Payara wsguard closes a session that answers none (its probe, 6 s after the open).
        try (Client votes = Client.open(at("votes"), Tokens.valid(user("a")))) {
            try (Client feed = Client.open(at("feed"), Tokens.valid(user("b")))) {
                RawUpgrade.Answer refused = upgrade("total-quota", Tokens.valid(user("c")), "127.0.0.3");
                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.header("Retry-After")).hasValue("10");
            }
            // Sessions of earlier tests whose clients dropped right after the 101 count until Payara learns they are
            // gone (wsguard's probe: up to 6 s).
            assertThat(holdWithin(Duration.ofSeconds(8), "total-quota", Tokens.valid(user("d")), "127.0.0.3"))
                    .as("one slot free again").isEqualTo(101);
            assertThat(upgrade("total-quota", Tokens.valid(user("e")), "127.0.0.4").status()).as("full again")
                    .isEqualTo(429);
        }
    }

    @Test
    void handshakeWhenOneAddressPassesTheDefaultRateThen429WithRetryAfter() throws Exception {
        for (int i = 0; i < 60; i++) {
            assertThat(upgrade("open", null, "127.0.0.1").status()).as("unguarded handshake %d", i + 1)
                    .isEqualTo(101);
        }
        // wsguard.handshake.limit-for-period=50 per PT10S, the defaults: each a fresh user, so no other limit counts.
        for (int i = 0; i < 50; i++) {
            assertThat(upgrade("rate", Tokens.valid(user("r")), "127.0.0.1").status()).as("handshake %d", i + 1)
                    .isEqualTo(101);
        }
        RawUpgrade.Answer limited = upgrade("rate", Tokens.valid(user("r")), "127.0.0.1");
        assertThat(limited.status()).as("the 51st within ten seconds").isEqualTo(429);
        assertThat(limited.header("Retry-After")).hasValue("10");
        assertThat(limited.header("Sec-WebSocket-Accept")).isEmpty();
        assertThat(upgrade("rate", Tokens.valid(user("r")), "127.0.0.2").status()).as("another address")
                .isEqualTo(101);
        assertThat(events("rate", "HANDSHAKE_RATE_LIMITED")).isEqualTo(1);
    }

    /**
     * wsguard.bans.* at their defaults: the 101st violation within a minute bans the address for five minutes.
     * Violations here are forged tokens (401), then the handshake rate's own refusals (429), which count too.
     */
    @Test
    void handshakeWhenAddressCommitsTheDefaultViolationsThenBanned429AndAuditLogCapped() throws Exception {
        int violations = 0;
        for (int i = 0; i < 100; i++) {
            int status = upgrade("bans", Tokens.forged(user("f")), "127.0.0.1").status();
            assertThat(status).as("violation %d, answered as usual", i + 1).isIn(401, 429);
            violations++;
        }
        assertThat(violations).isEqualTo(100);
        assertThat(events("bans", "BANNED")).as("100 violations are tolerated").isZero();

        assertThat(upgrade("bans", Tokens.forged(user("f")), "127.0.0.1").status()).isIn(401, 429);
        assertThat(events("bans", "BANNED")).as("the 101st bans").isEqualTo(1);

        RawUpgrade.Answer banned = upgrade("bans", Tokens.valid(user("v")), "127.0.0.1");
        assertThat(banned.status()).as("even a valid token from the banned address").isEqualTo(429);
        assertThat(Integer.parseInt(banned.header("Retry-After").orElseThrow())).as("the ban's five minutes")
                .isBetween(290, 300);
        assertThat(upgrade("bans", Tokens.valid(user("n")), "127.0.0.2").status()).as("a neighbour is not banned")
                .isEqualTo(101);

        // A banned address reconnecting at once: every refusal is an event, the audit log takes 10 lines a second.
        long start = System.nanoTime();
        for (int i = 0; i < 150; i++) {
            assertThat(upgrade("bans", Tokens.valid(user("v")), "127.0.0.1").status()).isEqualTo(429);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(1_100);
        assertThat(upgrade("bans", Tokens.valid(user("v")), "127.0.0.1").status()).isEqualTo(429);

        int refusals = events("bans", "ADDRESS_BANNED");
        assertThat(refusals).isEqualTo(152);
        String audit = inspect("audit=ADDRESS_BANNED&endpoint=bans");
        int lines = Integer.parseInt(value(audit, "lines"));
        assertThat(lines).as("at most 10 lines a second (%.2f s of refusals), and the first", seconds)
                .isBetween(1, 10 * ((int) Math.ceil(seconds) + 1) + 2);
        // The count rides on the next line written for the reason: within the flood when a new second of the cap
        // began during it, else on the line after the pause. Which one depends on where the cap's seconds fall.
        assertThat(Long.parseLong(value(audit, "counted"))).as("lines left out, and counted").isPositive();
        assertThat(lines + Long.parseLong(value(audit, "counted"))).as("every refusal a line or counted in one")
                .isEqualTo(refusals);
    }

    /**
     * The audit log's cap for the two rate-limit reasons, each on an endpoint of its own: a burst of handshakes past
     * the per-address rate ({@code HANDSHAKE_RATE_LIMITED}) and of messages past a per-address {@code @RateLimit} on
     * five sessions ({@code RATE_LIMITED}). Every refusal is an event; at most 10 lines a second are logged and the
     * next line counts the rest. Each reason is first logged once and left a second, so that a count carried over
     * from an earlier test lands before the figures are read.
     */
    @Test
    void auditWhenHandshakeAndMessageRateLimitsFloodThenTenLinesASecondAndTheRestCounted() throws Exception {
        String vote = "{\"type\":\"vote\"}";
        // Three pass the rate of the endpoint, the fourth is the primer's refusal.
        for (int i = 0; i < 4; i++) {
            upgrade("audit-handshakes", Tokens.valid(user("h")), "127.0.0.7");
        }
        RawSocket primer = RawSocket.attempt(at("audit-votes"), Tokens.valid(user("w")), "127.0.0.8").socket();
        held.add(primer);
        for (int i = 0; i < 4; i++) {
            primer.sendText(vote);
            primer.nextText();
        }
        Thread.sleep(1_100);
        AuditFigures handshakesBefore = audit("audit-handshakes", "HANDSHAKE_RATE_LIMITED");
        AuditFigures votesBefore = audit("audit-votes", "RATE_LIMITED");
        assertThat(handshakesBefore.events()).as("the primer's refusal").isPositive();
        assertThat(votesBefore.events()).isPositive();

        long start = System.nanoTime();
        for (int i = 0; i < 60; i++) {
            assertThat(upgrade("audit-handshakes", Tokens.valid(user("h")), "127.0.0.7").status()).isEqualTo(429);
        }
        double handshakeSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        for (int s = 0; s < 5; s++) {
            RawSocket session = RawSocket.attempt(at("audit-votes"), Tokens.valid(user("w")), "127.0.0.8").socket();
            held.add(session);
            for (int i = 0; i < 8; i++) {
                session.sendText(vote);
                assertThat(session.nextText()).isEqualTo(ContractSuite.RATE_LIMITED);
            }
        }
        double voteSeconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(1_100);
        assertThat(upgrade("audit-handshakes", Tokens.valid(user("h")), "127.0.0.7").status()).isEqualTo(429);
        primer.sendText(vote);
        assertThat(primer.nextText()).isEqualTo(ContractSuite.RATE_LIMITED);

        checkCapped(handshakesBefore, audit("audit-handshakes", "HANDSHAKE_RATE_LIMITED"), 61, handshakeSeconds);
        checkCapped(votesBefore, audit("audit-votes", "RATE_LIMITED"), 41, voteSeconds);
    }

    private static void checkCapped(AuditFigures before, AuditFigures after, long refused, double seconds) {
        long lines = after.lines() - before.lines();
        assertThat(after.events() - before.events()).as("every refusal an event").isEqualTo(refused);
        assertThat(lines).as("at most 10 lines a second (%.2f s of refusals), and the first", seconds)
                .isBetween(1L, 10L * ((int) Math.ceil(seconds) + 1) + 2);
        assertThat(after.counted() - before.counted()).as("lines left out, and counted").isPositive();
        assertThat(lines + after.counted() - before.counted()).as("every refusal a line or counted in one")
                .isEqualTo(refused);
    }

    private record AuditFigures(long events, long lines, long counted) {
    }

    private AuditFigures audit(String endpoint, String reason) throws Exception {
        String audit = inspect("audit=" + reason + "&endpoint=" + endpoint);
        return new AuditFigures(events(endpoint, reason), Long.parseLong(value(audit, "lines")),
                Long.parseLong(value(audit, "counted")));
    }

    @Test
    void handshakeWhenUntrustedPeerForgesForwardedForThenItsOwnAddressCounts() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(upgrade("direct", Tokens.valid(user("x")), "127.0.0.1", "X-Forwarded-For",
                    "198.51.100." + i).status());
        }
        assertThat(statuses).as("no trusted proxy: a fresh forged address per attempt buys no budget")
                .containsExactly(101, 101, 101, 429, 429);

        statuses.clear();
        for (int i = 0; i < 5; i++) {
            statuses.add(upgrade("proxied", Tokens.valid(user("x")), "127.0.0.2", "Forwarded",
                    "for=198.51.100." + i).status());
        }
        assertThat(statuses).as("127.0.0.1 is trusted, 127.0.0.2 is not: its headers are not believed")
                .containsExactly(101, 101, 101, 429, 429);
    }

    @Test
    void handshakeWhenTrustedProxyReportsClientsThenEachClientCounts() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(upgrade("proxied", Tokens.valid(user("p")), "127.0.0.1", "X-Forwarded-For", "203.0.113.1")
                    .status()).isEqualTo(101);
        }
        assertThat(upgrade("proxied", Tokens.valid(user("p")), "127.0.0.1", "X-Forwarded-For", "203.0.113.1")
                .status()).as("that client's budget is spent").isEqualTo(429);
        assertThat(upgrade("proxied", Tokens.valid(user("p")), "127.0.0.1", "X-Forwarded-For", "203.0.113.2")
                .status()).as("another client behind the proxy").isEqualTo(101);
        assertThat(upgrade("proxied", Tokens.valid(user("p")), "127.0.0.1", "X-Forwarded-For",
                "203.0.113.1, 198.51.100.7").status()).as("a client prepending a spent address").isEqualTo(101);
        assertThat(upgrade("proxied", Tokens.valid(user("p")), "127.0.0.1", "Forwarded", "for=203.0.113.3")
                .status()).as("Forwarded").isEqualTo(101);
    }

    /** A handshake through the trusted proxy (the peer 127.0.0.1) for {@code client}, a fresh user's each time. */
    private int viaProxy(String path, String header, String client) throws IOException {
        return upgrade(path, Tokens.valid(user("v6")), "127.0.0.1", header, client).status();
    }

    /**
     * IPv6 clients reported by the trusted proxy, two handshakes each an hour. An IPv6 client holds a whole network
     * (a /64 at least) and may use any address in it: counted by address, it buys a fresh budget with each one.
     */
    @Test
    void handshakeWhenTrustedProxyReportsIpv6ClientsThenEachSlash64SharesOneRateLimit() throws Exception {
        List<Integer> rotating = new ArrayList<>();
        for (String client : List.of("2001:db8:1::1", "2001:db8:1::1", "2001:db8:1::1", "2001:db8:1::2",
                "2001:db8:1::3", "2001:db8:1:0:ffff::4")) {
            rotating.add(viaProxy("hosts", "X-Forwarded-For", client));
        }
        assertThat(rotating).as("counted by address (/128): the spent address is refused, its neighbours are not")
                .containsExactly(101, 101, 429, 101, 101, 101);

        assertThat(viaProxy("networks", "X-Forwarded-For", "2001:db8:1::1")).isEqualTo(101);
        assertThat(viaProxy("networks", "X-Forwarded-For", "2001:db8:1::2")).as("another address of the /64")
                .isEqualTo(101);
        assertThat(viaProxy("networks", "X-Forwarded-For", "2001:db8:1:0:ffff::3")).as("the /64's budget is spent")
                .isEqualTo(429);
        assertThat(viaProxy("networks", "Forwarded", "for=\"[2001:db8:1::4]:4711\"")).as("Forwarded, the same /64")
                .isEqualTo(429);
        assertThat(viaProxy("networks", "X-Forwarded-For", "2001:db8:1:1::1")).as("the next /64").isEqualTo(101);
        assertThat(viaProxy("networks", "X-Forwarded-For", "2001:db8:1:1::2")).isEqualTo(101);
        assertThat(viaProxy("networks", "X-Forwarded-For", "2001:db8:1:1::3")).as("its budget is its own")
                .isEqualTo(429);
        String refusals = inspect("events=networks&name=HANDSHAKE_RATE_LIMITED");
        assertThat(value(refusals, "count")).isEqualTo("3");
        assertThat(value(refusals, "addresses")).as("each refusal names the client's own address, not its /64")
                .isEqualTo("2001:db8:1:0:ffff::3 2001:db8:1::4 2001:db8:1:1::3");
    }

    /**
     * Room for 20 addresses in the per-address tables, one handshake per address an hour. A table that refused keys
     * it has no room for would lock every newcomer out once 20 addresses had come; one that evicted the oldest key
     * would hand a flooder a fresh limiter whenever enough new addresses passed. Here fresh clients (other loopback
     * addresses, each refused for a forged token) fill the tables while one address keeps asking.
     */
    @Test
    void handshakeWhenFreshAddressesFillTheLimiterTableThenTheFlooderStaysLimitedAndANewcomerGetsIn()
            throws Exception {
        String flooder = "127.0.2.1";
        for (int i = 0; i < 26; i++) {
            assertThat(upgrade("open", null, flooder).status()).as("unguarded handshake %d", i + 1).isEqualTo(101);
        }
        assertThat(upgrade("table", Tokens.valid(user("t")), flooder).status()).isEqualTo(101);
        String forged = Tokens.forged(user("t"));
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            fresh.add(upgrade("table", forged, "127.0.2." + (10 + i)).status());
            assertThat(upgrade("table", Tokens.valid(user("t")), flooder).status())
                    .as("the flooder's own limit, after %d fresh addresses", i + 1).isEqualTo(429);
        }
        assertThat(fresh).as("each refused for its forged token, none for want of room").containsOnly(401);
        assertThat(upgrade("table", Tokens.valid(user("t")), "127.0.2.200").status())
                .as("a newcomer once the table is full").isEqualTo(101);
        // 27 addresses in the handshake limiter and 26 (every refused one) in the bans' violation counter: 7 and 6
        // evicted to stay at 20 each.
        assertThat(value(inspect("jmx=/table"), "RateLimitKeysEvicted")).isEqualTo("13");
    }

    /**
     * Undertow (WildFly) hands such a value over as it came, and the unguarded endpoint upgrades it: the 403 is
     * wsguard's. Grizzly (Payara) refuses the request itself with 400 before any application code, guarded or not.
     */
    @Test
    void handshakeWhenOriginCarriesNulOrControlCharactersThenNeverUpgraded() throws Exception {
        boolean wildfly = "wildfly".equals(System.getProperty("arquillian.launch"));
        for (String origin : List.of(Tokens.ORIGIN + "\0", Tokens.ORIGIN + "\u0001", Tokens.ORIGIN + "\u007f",
                Tokens.ORIGIN + "\0.evil.test")) {
            List<String[]> headers = List.of(new String[] {"Origin", origin},
                    new String[] {"Authorization", "Bearer " + Tokens.valid(user("o"))});
            RawUpgrade.Answer guarded = RawUpgrade.request(at("votes"), null, headers);
            RawUpgrade.Answer open = RawUpgrade.request(at("open"), null, headers);
            assertThat(open.status()).as("unguarded, %s", origin).isEqualTo(wildfly ? 101 : 400);
            assertThat(guarded.status()).as(origin).isEqualTo(wildfly ? 403 : 400);
            assertThat(guarded.header("Sec-WebSocket-Accept")).isEmpty();
        }
        assertThat(events("votes", "ORIGIN_NOT_ALLOWED")).as("refused by wsguard").isEqualTo(wildfly ? 4 : 0);
    }

    @Test
    void handshakeWhenKeyServerSlowAndUnknownKidsFloodThenCachedKidPassesAtOnce() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status = upgrade("slow-keys", Tokens.valid(user("warm")), "127.0.0.1").status();
        while (status != 101 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            status = upgrade("slow-keys", Tokens.valid(user("warm")), "127.0.0.1").status();
        }
        assertThat(status).as("the key set fetched at deployment").isEqualTo(101);
        int fetchesBefore = keys.fetches();
        keys.delay(Duration.ofSeconds(5));
        int attackers = 24;
        ExecutorService pool = Executors.newFixedThreadPool(attackers);
        try {
            List<Future<long[]>> flood = new ArrayList<>();
            for (int i = 0; i < attackers; i++) {
                String bogus = Tokens.unknownKid(user("rogue"), "rogue-" + i);
                String local = "127.0.1." + (i + 1);
                flood.add(pool.submit(() -> {
                    long start = System.nanoTime();
                    int answer = upgrade("slow-keys", bogus, local).status();
                    return new long[] {answer, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)};
                }));
            }
            Thread.sleep(300);
            long start = System.nanoTime();
            assertThat(upgrade("slow-keys", Tokens.valid(user("bob")), "127.0.0.1").status()).isEqualTo(101);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("a cached kid never waits for the hanging fetch").isLessThan(1_000);
            for (Future<long[]> attack : flood) {
                long[] outcome = attack.get(20, TimeUnit.SECONDS);
                assertThat(outcome[0]).isEqualTo(401);
                // A refusal that waited for the fetch takes 5 s; the bounded wait is 0.5 s.
                assertThat(outcome[1]).as("unknown kid refused without waiting for the fetch").isLessThan(2_000);
            }
        } finally {
            pool.shutdownNow();
            keys.delay(Duration.ZERO);
        }
        assertThat(keys.fetches() - fetchesBefore).as("one coalesced refresh at most").isLessThanOrEqualTo(1);
    }

    // ------------------------------------------------------------------ after the 101

    @Test
    void messageWhenOneAddressPassesItsLimitThenRateLimitedOnEverySessionFromIt() throws Exception {
        RawSocket a = RawSocket.attempt(at("votes"), Tokens.valid(user("ivan")), "127.0.0.1").socket();
        RawSocket b = RawSocket.attempt(at("votes"), Tokens.valid(user("judy")), "127.0.0.1").socket();
        RawSocket c = RawSocket.attempt(at("votes"), Tokens.valid(user("kim")), "127.0.0.2").socket();
        held.addAll(List.of(a, b, c));
        String vote = "{\"type\":\"vote\"}";
        String voted = "{\"type\":\"voted\"}";
        a.sendText(vote);
        assertThat(a.nextText()).isEqualTo(voted);
        b.sendText(vote);
        assertThat(b.nextText()).isEqualTo(voted);
        a.sendText(vote);
        assertThat(a.nextText()).isEqualTo(voted);
        b.sendText(vote);
        assertThat(b.nextText()).as("another user's second vote, the address's fourth: 3 a minute per address")
                .isEqualTo(ContractSuite.RATE_LIMITED);
        c.sendText(vote);
        assertThat(c.nextText()).as("another address").isEqualTo(voted);
    }

    @Test
    void socketWhenNoAuthMessageThenClosed4401AtTheDeadlineWhileAuthenticatedOneStays() throws Exception {
        assertThat(RawUpgrade.send(at("first"), Tokens.FOREIGN_ORIGIN, null).status()).as("origin still checked")
                .isEqualTo(403);
        try (Client unguarded = Client.open(at("open"), null);
             Client silent = Client.open(at("first"), null);
             Client authenticated = Client.open(at("first"), null)) {
            long opened = System.nanoTime();
            String subject = user("amy");
            authenticated.send("{\"type\":\"auth\",\"token\":\"" + Tokens.valid(subject) + "\"}");
            assertThat(authenticated.next()).isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");

            assertThat(silent.awaitClose(Duration.ofSeconds(10))).isEqualTo(4401);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened)).as("the 2 s deadline")
                    .isBetween(1_900L, 3_500L);
            authenticated.send("{\"type\":\"echo\",\"text\":\"hi\"}");
            assertThat(authenticated.next()).as("past the deadline")
                    .isEqualTo("{\"type\":\"echo\",\"from\":\"" + subject + "\",\"length\":2}");
            unguarded.send("still here");
            assertThat(unguarded.next()).as("unguarded: unauthenticated and still served")
                    .isEqualTo("{\"type\":\"echo\",\"length\":10}");
        }
    }

    @Test
    void messageWhenSentBeforeAuthOrTokenInvalidThenClosed4401AndNothingHandled() throws Exception {
        try (Client eager = Client.open(at("first"), null); Client forged = Client.open(at("first"), null)) {
            eager.send("{\"type\":\"echo\",\"text\":\"hi\"}");
            assertThat(eager.awaitClose(Duration.ofSeconds(10))).isEqualTo(4401);
            assertThat(eager.poll(100)).as("never handled").isNull();

            forged.send("{\"type\":\"auth\",\"token\":\"" + Tokens.forged(user("mal")) + "\"}");
            assertThat(forged.awaitClose(Duration.ofSeconds(10))).isEqualTo(4401);
            assertThat(forged.poll(100)).isNull();
        }
    }

    @Test
    void broadcastWhenRefreshedTokenNoLongerPassesChannelRuleThenSkippedButSessionStays() throws Exception {
        String news = "tenant:" + Tokens.TENANT + ":news";
        String subscribe = "{\"type\":\"subscribe\",\"channel\":\"" + news + "\"}";
        String mover = user("vic");
        try (Client moving = Client.open(at("feed"), Tokens.valid(mover));
             Client other = Client.open(at("feed"), Tokens.valid(user("wes")));
             Client publisher = Client.open(at("feed"), Tokens.valid(user("pub")))) {
            moving.send(subscribe);
            assertThat(moving.next()).contains("subscribed");
            other.send(subscribe);
            assertThat(other.next()).contains("subscribed");
            // Same subject, so the in-band refresh is accepted; but the new token belongs to another tenant.
            String moved = Tokens.with(mover, claims -> claims.claim("tenant", "globex"));
            moving.send("{\"type\":\"auth\",\"token\":\"" + moved + "\"}");
            assertThat(moving.next()).isEqualTo("{\"type\":\"auth\",\"status\":\"ok\"}");

            publisher.send("{\"type\":\"publish\",\"channel\":\"" + news + "\",\"text\":\"naive\",\"naive\":true}");
            assertThat(publisher.next()).isEqualTo("{\"type\":\"published\",\"delivered\":2}");
            assertThat(moving.next()).as("unguarded: the other tenant's channel still flows")
                    .isEqualTo("{\"type\":\"message\",\"text\":\"naive\"}");
            assertThat(other.next()).isEqualTo("{\"type\":\"message\",\"text\":\"naive\"}");

            publisher.send("{\"type\":\"publish\",\"channel\":\"" + news + "\",\"text\":\"guarded\",\"naive\":false}");
            assertThat(publisher.next()).isEqualTo("{\"type\":\"published\",\"delivered\":1}");
            assertThat(other.next()).isEqualTo("{\"type\":\"message\",\"text\":\"guarded\"}");
            moving.send("{\"type\":\"echo\",\"text\":\"ok\"}");
            assertThat(moving.next()).as("skipped, not closed, and nothing else came")
                    .isEqualTo("{\"type\":\"echo\",\"from\":\"" + mover + "\",\"length\":2}");
        }
        assertThat(events("feed", "CHANNEL_FORBIDDEN")).isEqualTo(1);
    }

    @Test
    void metricsWhenHandshakesAndMessagesThenJmxViewAndMicrometerMetersCountThem() throws Exception {
        assertThat(RawUpgrade.send(at("metered"), Tokens.FOREIGN_ORIGIN, Tokens.valid(user("m"))).status())
                .isEqualTo(403);
        try (Client client = Client.open(at("metered"), Tokens.valid(user("m")))) {
            client.send("{\"type\":\"echo\",\"text\":\"hi\"}");
            assertThat(client.next()).contains("\"length\":2");
            client.send("{\"type\":\"echo\"}");
            assertThat(client.next()).isEqualTo(ContractSuite.INVALID);

            String jmx = inspect("jmx=/metered");
            assertThat(value(jmx, "OpenConnections")).isEqualTo("1");
            assertThat(value(jmx, "HandshakesAccepted")).isEqualTo("1");
            assertThat(value(jmx, "HandshakesRejected")).isEqualTo("1");
            assertThat(value(jmx, "MessagesAccepted")).isEqualTo("1");
            assertThat(value(jmx, "MessagesRejected")).isEqualTo("1");
            assertThat(value(jmx, "HandshakeRejectionsByReason")).isEqualTo("{ORIGIN_NOT_ALLOWED=1}");

            // Message meters are counted as the guard finishes with a message, which may be just after its answer.
            List<String> expected = List.of("wsguard.connections.open{} value=1",
                    "wsguard.handshakes{origin:https://app.contract.test,outcome:accepted,reason:none,} count=1",
                    "wsguard.handshakes{origin:other,outcome:rejected,reason:ORIGIN_NOT_ALLOWED,} count=1",
                    "wsguard.messages{outcome:accepted,reason:none,type:echo,} count=1",
                    "wsguard.messages{outcome:rejected,reason:MESSAGE_INVALID,type:unknown,} count=1");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            List<String> meters = inspect("meters=/metered").lines().toList();
            while (!meters.containsAll(expected) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                meters = inspect("meters=/metered").lines().toList();
            }
            assertThat(meters).containsAll(expected);
        }
    }
}
