package dev.wsguard;

import dev.wsguard.testing.RawHandshake;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.WsClient;
import dev.wsguard.testing.chat.TestGuard;
import dev.wsguard.testing.telemetry.Handshakes;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a client address counts as in the per-address tables, against a real Tyrus server: a table filled by
 * refused clients still lets a newcomer in (clients on distinct loopback addresses), and an IPv6 client counts as
 * its /64 (addresses reported by a trusted proxy in {@code X-Forwarded-For}).
 */
class LimiterTableIT {

    static final String ORIGIN = "https://chat.test";

    final ConcurrentLinkedQueue<SecurityEvent> events = new ConcurrentLinkedQueue<>();
    GuardedServer server;
    URI uri;

    void start(GuardConfig.Builder config) throws Exception {
        server = TestGuard.serve(config.trustedProxies("127.0.0.1/32").listener(events::add), ORIGIN);
        uri = server.uri("/guarded");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    int from(String localAddress, String token) throws Exception {
        return Handshakes.send(RawHandshake.to(uri).origin(ORIGIN).bearer(token), uri, localAddress).status();
    }

    RawHandshake forwardedFor(String client) {
        return RawHandshake.to(uri).origin(ORIGIN).bearer(TestTokens.token().subject("u-" + client).sign())
                .header("X-Forwarded-For", client);
    }

    int viaProxy(String client) throws Exception {
        return forwardedFor(client).send().status();
    }

    @Test
    void handshakeWhenRefusedClientsFillTheLimiterTableThenNewClientWithValidTokenGets101() throws Exception {
        start(GuardConfig.builder().maxRateLimitKeys(20).handshakeRateLimit(1, Duration.ofHours(1)));
        String flooder = "127.0.0.9";
        assertThat(from(flooder, TestTokens.token().sign())).isEqualTo(101);
        String forged = TestTokens.forged();
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            refused.add(from("127.0.0." + (10 + i), forged));
            assertThat(from(flooder, TestTokens.token().sign())).as("the flooder's own limit holds").isEqualTo(429);
        }

        assertThat(from("127.0.0.200", TestTokens.token().sign())).as("a newcomer after the table filled")
                .isEqualTo(101);
        assertThat(refused).as("each refused for its forged token, none for want of room").containsOnly(401);
        ObjectName view = new ObjectName("dev.wsguard:type=Guard,endpoint=" + ObjectName.quote("/guarded"));
        // 27 addresses in the handshake limiter, 26 (the refused ones) in the ban counter: 7 + 6 past 20 each.
        assertThat((Long) ManagementFactory.getPlatformMBeanServer().getAttribute(view, "RateLimitKeysEvicted"))
                .isEqualTo(13);
    }

    @Test
    void handshakeWhenAddressesShareAnIpv6NetworkThenTheyShareOneHandshakeLimiter() throws Exception {
        start(GuardConfig.builder().handshakeRateLimit(2, Duration.ofHours(1)));
        assertThat(viaProxy("2001:db8::1")).isEqualTo(101);
        assertThat(viaProxy("2001:db8::2")).isEqualTo(101);
        assertThat(viaProxy("2001:db8:0:0:ffff::3")).as("the /64's budget is spent").isEqualTo(429);
        assertThat(viaProxy("2001:db8:0:1::1")).as("another /64").isEqualTo(101);
        assertThat(events).filteredOn(e -> e.reason() == Rejection.HANDSHAKE_RATE_LIMITED)
                .singleElement().satisfies(e -> assertThat(e.clientAddress()).as("events name the address")
                        .isEqualTo("2001:db8:0:0:ffff::3"));
    }

    @Test
    void handshakeWhenAddressesShareAnIpv6NetworkThenTheyShareOneConnectionQuota() throws Exception {
        start(GuardConfig.builder().connectionQuotas(1, 20, 10_000, 20_000));
        try (Socket held = forwardedFor("2001:db8::1").open(65536)) {
            assertThat(held.isClosed()).isFalse();
            assertThat(viaProxy("2001:db8::2")).as("same /64, quota held").isEqualTo(429);
            assertThat(viaProxy("2001:db8:0:1::1")).as("another /64").isEqualTo(101);
        }
        assertThat(events).filteredOn(e -> e.kind() == SecurityEvent.Kind.HANDSHAKE_REJECTED)
                .extracting(SecurityEvent::reason).containsExactly(Rejection.CONNECTION_QUOTA_EXCEEDED);
    }

    @Test
    void messageWhenAddressesShareAnIpv6NetworkThenTheyShareOnePerAddressLimit() throws Exception {
        start(GuardConfig.builder());
        String bid = "{\"type\":\"bid\",\"amount\":5}";
        try (WsClient a = WsClient.connect(uri, ORIGIN, user("ivan"), "X-Forwarded-For", "2001:db8::1");
             WsClient b = WsClient.connect(uri, ORIGIN, user("judy"), "X-Forwarded-For", "2001:db8::2");
             WsClient c = WsClient.connect(uri, ORIGIN, user("kim"), "X-Forwarded-For", "2001:db8:0:1::1")) {
            assertThat(a.send(bid).next()).isEqualTo(bid);
            assertThat(b.send(bid).next()).isEqualTo(bid);
            assertThat(a.send(bid).next()).isEqualTo(bid);
            assertThat(b.send(bid).next()).as("same /64, other user: 3 bids per address")
                    .isEqualTo("{\"type\":\"error\",\"code\":\"rate_limited\"}");
            assertThat(c.send(bid).next()).as("another /64").isEqualTo(bid);
        }
    }

    static String user(String subject) {
        return TestTokens.token().subject(subject).groups("user").sign();
    }

    @Test
    void handshakeWhenPrefixLength128ThenEachIpv6AddressCountsAlone() throws Exception {
        start(GuardConfig.builder().ipv6PrefixLength(128).handshakeRateLimit(1, Duration.ofHours(1))
                .connectionQuotas(1, 20, 10_000, 20_000));
        try (Socket held = forwardedFor("2001:db8::1").open(65536)) {
            assertThat(held.isClosed()).isFalse();
            assertThat(viaProxy("2001:db8::2")).as("its own limiter and its own quota").isEqualTo(101);
            assertThat(viaProxy("2001:db8::1")).as("::1's budget is spent").isEqualTo(429);
        }
    }
}
