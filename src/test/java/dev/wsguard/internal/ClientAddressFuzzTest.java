package dev.wsguard.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client address resolution on any {@code Forwarded} and {@code X-Forwarded-For} headers: nothing is thrown; an
 * untrusted peer counts as itself; a trusted peer counts as itself or as an untrusted numeric address its headers
 * name. Keys never throw and are stable: a key keys to itself, every spelling of an address has the same key, and
 * every IPv6 address of one network shares it. Plain test runs replay the saved inputs; docs/fuzzing.md says how to
 * fuzz.
 */
class ClientAddressFuzzTest {

    private static final List<String> NETWORKS = List.of("10.0.0.0/8", "127.0.0.1/32", "::1/128", "2001:db8::/32",
            "192.168.0.0/16", "::ffff:172.16.0.0/12");
    private static final List<String> ADDRESSES = List.of("10.1.2.3", "127.0.0.1", "::1", "2001:db8::7",
            "192.168.1.1", "172.16.5.5", "203.0.113.9", "198.51.100.1", "2001:db9::1", "::ffff:10.0.0.1", "::ffff:203.0.113.9",
            "0:0:0:0:0:0:0:1", "2001:DB8:0::7", "fe80::1%eth0", "unknown", "_hidden", "", "1.2.3", "256.1.1.1",
            "010.1.1.1", "1.2.3.4.5", "::", "::ffff:1.2.3.4:80", "[2001:db8::7]", "1.2.3.4:8080");

    @FuzzTest
    void resolveWhenAnyHeadersThenPeerOrAnUntrustedAddressTheyName(FuzzedDataProvider data) {
        List<String> cidrs = new ArrayList<>();
        for (String network : NETWORKS) {
            if (data.consumeBoolean()) {
                cidrs.add(network);
            }
        }
        int prefix = data.consumeInt(1, 128);
        ClientAddress addresses = ClientAddress.trusting(cidrs, prefix);
        String peer = data.consumeInt(0, 15) == 0 ? null : address(data);
        List<String> forwarded = lines(data, true);
        List<String> xForwardedFor = lines(data, false);

        String resolved = addresses.resolve(peer, forwarded, xForwardedFor);

        if (peer == null || !addresses.isTrusted(peer)) {
            assertThat(resolved).isEqualTo(peer);
        } else if (!resolved.equals(peer)) {
            assertThat(ClientAddress.numeric(resolved)).as("a named hop is a numeric address").isNotNull();
            assertThat(addresses.isTrusted(resolved)).as("never a trusted proxy").isFalse();
            String named = (String.join("\n", forwarded) + "\n" + String.join("\n", xForwardedFor)).replace("\"", "");
            assertThat(named).as("named in the headers").contains(resolved);
        }
        keyIsStable(resolved, prefix);
        keyIsStable(peer, prefix);
        keyIsStable(data.consumeRemainingAsString(), prefix);
    }

    private static void keyIsStable(String address, int prefix) {
        String key = ClientAddress.key(address, prefix);
        if (address == null) {
            assertThat(key).isNull();
            return;
        }
        assertThat(ClientAddress.key(key, prefix)).as("a key keys to itself").isEqualTo(key);
        int zone = address.indexOf('%');
        byte[] bytes = ClientAddress.numeric(zone < 0 ? address : address.substring(0, zone));
        if (bytes == null) {
            assertThat(key).as("not an address: kept as it is").isEqualTo(address);
            return;
        }
        String canonical = spelling(bytes);
        assertThat(ClientAddress.key(canonical, prefix)).as("the same address spelt %s", canonical).isEqualTo(key);
        if (bytes.length == 16) {
            int bit = 127 - (address.hashCode() & 0x7F);
            byte[] neighbour = bytes.clone();
            neighbour[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            String other = ClientAddress.key(spelling(neighbour), prefix);
            if (bit >= prefix) {
                assertThat(other).as("same /%d network", prefix).isEqualTo(key);
            } else if (ClientAddress.numeric(spelling(neighbour)).length == 16) {
                assertThat(other).as("another /%d network", prefix).isNotEqualTo(key);
            }
        }
    }

    /** The JDK's own spelling of an address, without any name lookup. */
    private static String spelling(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static String address(FuzzedDataProvider data) {
        return data.consumeBoolean() ? data.pickValue(ADDRESSES) : data.consumeString(24);
    }

    /** Header lines as proxies and clients write them: lists, ports, brackets, quotes, other parameters, junk. */
    private static List<String> lines(FuzzedDataProvider data, boolean forwarded) {
        List<String> lines = new ArrayList<>();
        int count = data.consumeInt(0, 3);
        for (int i = 0; i < count; i++) {
            StringBuilder line = new StringBuilder();
            int hops = data.consumeInt(0, 4);
            for (int h = 0; h < hops; h++) {
                line.append(h == 0 ? "" : data.pickValue(List.of(",", ", ", " ,", ";")));
                String hop = address(data);
                if (!forwarded) {
                    line.append(hop);
                    continue;
                }
                switch (data.consumeInt(0, 4)) {
                    case 0 -> line.append("for=").append(hop);
                    case 1 -> line.append("for=\"").append(hop).append('"');
                    case 2 -> line.append("For=\"[").append(hop).append("]:").append(data.consumeInt(0, 70000))
                            .append('"');
                    case 3 -> line.append("proto=https;for=").append(hop).append(";by=10.0.0.1");
                    default -> line.append(data.consumeString(12));
                }
            }
            lines.add(line.toString());
        }
        return lines;
    }
}
