package dev.wsguard.internal;

import dev.wsguard.GuardConfigException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientAddressTest {

    private final ClientAddress proxies = ClientAddress.trusting(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"),
            64);

    @Test
    void resolveWhenPeerUntrustedThenForgedHeadersIgnored() {
        assertThat(proxies.resolve("203.0.113.5", List.of("for=198.51.100.1"), List.of("198.51.100.2")))
                .isEqualTo("203.0.113.5");
    }

    @Test
    void resolveWhenPeerTrustedThenRightMostUntrustedHop() {
        assertThat(proxies.resolve("10.1.2.3", List.of(), List.of("198.51.100.9, 203.0.113.5, 10.9.9.9")))
                .as("the client may prepend anything; the right-most untrusted hop is what our proxy saw")
                .isEqualTo("203.0.113.5");
        assertThat(proxies.resolve("192.168.1.7", List.of(), List.of("203.0.113.5"))).isEqualTo("203.0.113.5");
    }

    @Test
    void resolveWhenForwardedHeaderThenForValuesWithoutPortsOrBrackets() {
        assertThat(proxies.resolve("10.0.0.1", List.of("for=\"[2001:db8::1]:4711\";proto=https, for=10.0.0.2"),
                List.of())).isEqualTo("2001:db8::1");
        assertThat(proxies.resolve("10.0.0.1", List.of("for=203.0.113.8:5000"), List.of())).isEqualTo("203.0.113.8");
    }

    @Test
    void resolveWhenForwardedAndXForwardedForAgreeThenThatClient() {
        assertThat(proxies.resolve("10.0.0.1", List.of("for=203.0.113.5;proto=https"), List.of("203.0.113.5")))
                .isEqualTo("203.0.113.5");
        assertThat(proxies.resolve("10.0.0.1", List.of("for=\"[2001:DB8:0::1]\""), List.of("2001:db8::1")))
                .as("the same address written two ways").isEqualTo("2001:DB8:0::1");
        assertThat(proxies.resolve("10.0.0.1", List.of("for=198.51.100.9, for=203.0.113.5"), List.of("203.0.113.5")))
                .as("what the client prepended to one chain does not matter").isEqualTo("203.0.113.5");
    }

    @Test
    void resolveWhenClientSmugglesTheHeaderItsProxyDoesNotSetThenProxyAddress() {
        // A proxy that appends X-Forwarded-For and passes Forwarded through untouched (the usual nginx snippet).
        assertThat(proxies.resolve("10.0.0.1", List.of("for=198.51.100.8"), List.of("203.0.113.5")))
                .isEqualTo("10.0.0.1");
        // And the other way round: a proxy that writes only Forwarded.
        assertThat(proxies.resolve("10.0.0.1", List.of("for=203.0.113.5"), List.of("198.51.100.7")))
                .isEqualTo("10.0.0.1");
    }

    @Test
    void resolveWhenHopIsGarbageOrHostNameThenProxyAddress() {
        assertThat(proxies.resolve("10.0.0.1", List.of(), List.of("evil.example.com"))).isEqualTo("10.0.0.1");
        assertThat(proxies.resolve("10.0.0.1", List.of(), List.of("999.1.1.1"))).isEqualTo("10.0.0.1");
        assertThat(proxies.resolve("10.0.0.1", List.of("for=unknown"), List.of())).isEqualTo("10.0.0.1");
        assertThat(proxies.resolve("10.0.0.1", List.of(), List.of())).isEqualTo("10.0.0.1");
    }

    @Test
    void isTrustedWhenPrefixBoundaryThenExact() {
        ClientAddress p = ClientAddress.trusting(List.of("172.16.0.0/12"), 64);
        assertThat(p.isTrusted("172.31.255.255")).isTrue();
        assertThat(p.isTrusted("172.32.0.0")).isFalse();
        assertThat(p.isTrusted("fd00::1")).isFalse();
        assertThat(proxies.isTrusted("fdff::1")).isTrue();
        assertThat(proxies.isTrusted("fe00::1")).isFalse();
    }

    @Test
    void trustingWhenNotNumericThenConfigException() {
        for (String bad : List.of("proxy.internal", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "300.1.1.1")) {
            assertThatThrownBy(() -> ClientAddress.trusting(List.of(bad), 64)).as(bad)
                    .isInstanceOf(GuardConfigException.class);
        }
    }

    @Test
    void keyWhenIpv4ThenTheAddressItself() {
        assertThat(proxies.key("203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(proxies.key("203.0.113.6")).isEqualTo("203.0.113.6");
    }

    @Test
    void keyWhenIpv4WrittenOtherwiseThenTheCanonicalFormAndOnlyCanonicalFormsTakeTheShortCut() {
        // The short cut must agree with the full parse: only texts that are their own key take it.
        for (String canonical : List.of("0.0.0.0", "1.2.3.4", "255.255.255.255", "10.0.0.10", "203.0.113.5")) {
            assertThat(ClientAddress.isCanonicalIpv4(canonical)).as(canonical).isTrue();
            assertThat(ClientAddress.numeric(canonical)).as(canonical).isNotNull();
        }
        for (String other : List.of("010.1.1.1", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "256.1.1.1", "1.2.3.4.5",
                "1.2.3.04", "1.2.3.4 ", "+1.2.3.4", "1.2.3.1000", "a.b.c.d", "::1", "")) {
            assertThat(ClientAddress.isCanonicalIpv4(other)).as(other).isFalse();
        }
        assertThat(proxies.key("010.001.002.003")).as("leading zeros read as decimal").isEqualTo("10.1.2.3");
    }

    @Test
    void keyWhenIpv4MappedIpv6ThenTheIpv4Address() {
        assertThat(proxies.key("::ffff:203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(proxies.key("0:0:0:0:0:FFFF:203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(proxies.key("::ffff:cb00:7105")).as("the mapped address in hex groups").isEqualTo("203.0.113.5");
    }

    @Test
    void keyWhenIpv6ThenItsNetworkHoweverWritten() {
        String net = "2001:db8:0:0:0:0:0:0/64";
        assertThat(proxies.key("2001:db8::1")).isEqualTo(net);
        assertThat(proxies.key("2001:DB8:0000:0000:0000:0000:0000:0001")).isEqualTo(net);
        assertThat(proxies.key("2001:db8::ffff:ffff:ffff:ffff")).isEqualTo(net);
        assertThat(proxies.key("2001:db8:0:1::1")).as("the next /64").isEqualTo("2001:db8:0:1:0:0:0:0/64");
        assertThat(proxies.key("::1")).isEqualTo("0:0:0:0:0:0:0:0/64");
    }

    @Test
    void keyWhenPrefixNotOnGroupBoundaryThenMaskedToTheBit() {
        assertThat(ClientAddress.key("2001:db8:abcd:12ff::1", 56)).isEqualTo("2001:db8:abcd:1200:0:0:0:0/56");
        assertThat(ClientAddress.key("2001:db8:abcd:12ff::1", 1)).isEqualTo("0:0:0:0:0:0:0:0/1");
        assertThat(ClientAddress.key("ff01::1", 1)).isEqualTo("8000:0:0:0:0:0:0:0/1");
        assertThat(ClientAddress.key("2001:db8::1", 128)).isEqualTo("2001:db8:0:0:0:0:0:1/128");
        assertThat(ClientAddress.key("2001:db8::2", 128)).isEqualTo("2001:db8:0:0:0:0:0:2/128");
    }

    @Test
    void keyWhenZoneIdThenZoneIgnored() {
        assertThat(proxies.key("fe80::1%eth0")).isEqualTo("fe80:0:0:0:0:0:0:0/64");
        assertThat(proxies.key("fe80::2%2")).isEqualTo("fe80:0:0:0:0:0:0:0/64");
        assertThat(ClientAddress.key("fe80::1%eth0", 128)).isEqualTo("fe80:0:0:0:0:0:0:1/128");
    }

    @Test
    void keyWhenNotAnAddressLiteralThenUnchangedAndNeverLookedUp() {
        for (String garbage : List.of("localhost", "evil.example.com", "999.1.1.1", "1.2.3", "2001:db8::1::2",
                "unknown", "", "[2001:db8::1]", "2001:db8::/64")) {
            assertThat(proxies.key(garbage)).as(garbage).isEqualTo(garbage);
        }
        assertThat(proxies.key(null)).isNull();
    }
}
