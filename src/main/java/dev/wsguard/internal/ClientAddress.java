package dev.wsguard.internal;

import dev.wsguard.GuardConfigException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Decides which address a connection counts as. The socket peer, unless the peer is one of the configured trusted
 * proxies; then the right-most address of {@code Forwarded} ({@code for=}) or {@code X-Forwarded-For} that is not
 * itself a trusted proxy. A client that is not a trusted proxy cannot choose its address by sending a header, nor
 * by sending the one of the two headers its proxy does not write.
 *
 * <p>Also decides what an address counts under ({@link #key}): an IPv6 client is given a whole network (a /64 by
 * default) and can pick any address in it, so every per-address count (handshake rate, message rate limits, the
 * connection quota, bans) keys IPv6 by its network. Immutable and thread-safe.
 */
public final class ClientAddress {

    private record Network(byte[] address, int prefix) {
        boolean contains(byte[] candidate) {
            if (candidate.length != address.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (candidate[i] != address[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (candidate[full] & mask) == (address[full] & mask);
        }
    }

    /** The session user-property key of the address's {@link #key}, for the per-address message limits. */
    public static final String KEY = "dev.wsguard.address-key";

    private final List<Network> trusted;
    private final int ipv6PrefixLength;

    private ClientAddress(List<Network> trusted, int ipv6PrefixLength) {
        this.trusted = List.copyOf(trusted);
        this.ipv6PrefixLength = ipv6PrefixLength;
    }

    /**
     * @param cidrs trusted proxy networks such as {@code 10.0.0.0/8}, {@code 127.0.0.1/32}, {@code ::1/128}; only
     *              numeric addresses (no host names: a lookup at start-up is not a trust decision)
     * @param ipv6PrefixLength how many leading bits of an IPv6 address form its {@link #key}, 1 to 128
     * @throws GuardConfigException for anything that is not a numeric address with an optional prefix
     */
    public static ClientAddress trusting(List<String> cidrs, int ipv6PrefixLength) {
        if (ipv6PrefixLength < 1 || ipv6PrefixLength > 128) {
            throw new IllegalArgumentException("IPv6 prefix length " + ipv6PrefixLength + " is not 1 to 128");
        }
        List<Network> networks = new ArrayList<>();
        for (String raw : cidrs) {
            String cidr = raw.trim();
            if (cidr.isEmpty()) {
                continue;
            }
            int slash = cidr.indexOf('/');
            String host = slash < 0 ? cidr : cidr.substring(0, slash);
            byte[] bytes = numeric(host);
            if (bytes == null) {
                throw new GuardConfigException("wsguard.trusted-proxies: '" + cidr + "' is not a numeric address or"
                        + " network (CIDR)");
            }
            int prefix;
            try {
                prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new GuardConfigException("wsguard.trusted-proxies: bad prefix in '" + cidr + "'");
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new GuardConfigException("wsguard.trusted-proxies: bad prefix in '" + cidr + "'");
            }
            networks.add(new Network(bytes, prefix));
        }
        return new ClientAddress(networks, ipv6PrefixLength);
    }

    /**
     * The address to count: the peer, or the first untrusted hop a trusted proxy reports. When the peer sends both
     * {@code Forwarded} and {@code X-Forwarded-For} and they name different clients, one of them came from the
     * client (a proxy that sets only one header passes the other through unchanged), so neither is believed and the
     * peer counts.
     */
    public String resolve(String peer, List<String> forwarded, List<String> xForwardedFor) {
        if (peer == null || !isTrusted(peer)) {
            return peer;
        }
        if (forwarded.isEmpty()) {
            return rightMostUntrusted(peer, split(xForwardedFor));
        }
        String fromForwarded = rightMostUntrusted(peer, forwardedFor(forwarded));
        if (xForwardedFor.isEmpty()) {
            return fromForwarded;
        }
        String fromXff = rightMostUntrusted(peer, split(xForwardedFor));
        return Arrays.equals(numeric(fromForwarded), numeric(fromXff)) ? fromForwarded : peer;
    }

    private String rightMostUntrusted(String peer, List<String> hops) {
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = hops.get(i);
            if (numeric(hop) == null) {
                // Unknown, obfuscated or garbage: the chain cannot be followed past it; count the proxy's report.
                return peer;
            }
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return peer;
    }

    /** {@link #key(String, int)} with this instance's IPv6 prefix length. */
    public String key(String address) {
        return key(address, ipv6PrefixLength);
    }

    /**
     * What {@code address} counts under in every per-address table: an IPv4 address in dotted form (an IPv4-mapped
     * IPv6 address, {@code ::ffff:a.b.c.d}, counts as {@code a.b.c.d}); an IPv6 address as its network of
     * {@code ipv6PrefixLength} bits, written {@code 2001:db8:0:0:0:0:0:0/64} whichever way the address was written
     * and whatever its zone ({@code %eth0}). Anything that is not an address literal stays as it is, and is never
     * looked up. Null stays null.
     */
    public static String key(String address, int ipv6PrefixLength) {
        if (address == null || isCanonicalIpv4(address)) {
            // The usual case on every handshake, a peer address as the JDK writes it, is its own key.
            return address;
        }
        int zone = address.indexOf('%');
        byte[] bytes = numeric(zone < 0 ? address : address.substring(0, zone));
        if (bytes == null) {
            return address;
        }
        if (bytes.length == 4) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        StringBuilder key = new StringBuilder(48);
        for (int group = 0; group < 8; group++) {
            int bits = Math.max(0, Math.min(16, ipv6PrefixLength - group * 16));
            int value = ((bytes[2 * group] & 0xff) << 8 | bytes[2 * group + 1] & 0xff) & (0xffff0000 >>> bits);
            key.append(group == 0 ? "" : ":").append(Integer.toHexString(value));
        }
        return key.append('/').append(ipv6PrefixLength).toString();
    }

    /** Whether any proxy is trusted to name the client. */
    public boolean trustsProxies() {
        return !trusted.isEmpty();
    }

    public boolean isTrusted(String address) {
        if (trusted.isEmpty()) {
            // The usual case, on every handshake: no proxy is trusted, so nothing needs parsing.
            return false;
        }
        byte[] bytes = numeric(address);
        if (bytes == null) {
            return false;
        }
        for (Network n : trusted) {
            if (n.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> split(List<String> lines) {
        List<String> hops = new ArrayList<>();
        for (String line : lines) {
            for (String part : line.split(",")) {
                String hop = part.trim();
                if (!hop.isEmpty()) {
                    hops.add(hop);
                }
            }
        }
        return hops;
    }

    /** The {@code for=} values of RFC 7239 {@code Forwarded}, in order, without quotes, brackets or ports. */
    private static List<String> forwardedFor(List<String> lines) {
        List<String> hops = new ArrayList<>();
        for (String element : split(lines)) {
            for (String pair : element.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
                    hops.add(stripPort(pair.substring(eq + 1).trim().replace("\"", "")));
                }
            }
        }
        return hops;
    }

    private static String stripPort(String value) {
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            return end > 0 ? value.substring(1, end) : value;
        }
        int colon = value.indexOf(':');
        return colon > 0 && value.indexOf(':', colon + 1) < 0 ? value.substring(0, colon) : value;
    }

    /**
     * Whether {@code s} is an IPv4 address written as the JDK writes one: four decimal numbers of 0 to 255 without
     * leading zeros, separated by dots. Such a text is already what {@link #key(String, int)} would make of it.
     */
    static boolean isCanonicalIpv4(String s) {
        int length = s.length();
        if (length < 7 || length > 15) {
            return false;
        }
        int octets = 0;
        int i = 0;
        while (i < length) {
            int start = i;
            int value = 0;
            while (i < length && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                value = value * 10 + s.charAt(i) - '0';
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || digits > 1 && s.charAt(start) == '0') {
                return false;
            }
            octets++;
            if (i == length) {
                break;
            }
            if (s.charAt(i) != '.' || octets == 4) {
                return false;
            }
            i++;
        }
        return octets == 4 && s.charAt(length - 1) != '.';
    }

    /** The bytes of a numeric IPv4 or IPv6 literal; null for anything else (never a DNS lookup). */
    static byte[] numeric(String s) {
        if (s == null || s.isEmpty() || s.length() > 45) {
            return null;
        }
        boolean ipv4 = s.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9') && s.chars().filter(c -> c == '.')
                .count() == 3;
        boolean ipv6 = s.indexOf(':') >= 0 && s.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
        if (!ipv4 && !ipv6) {
            return null;
        }
        if (ipv4) {
            for (String octet : s.split("\\.")) {
                // Out-of-range octets would make the JDK treat the text as a host name and look it up.
                if (octet.isEmpty() || octet.length() > 3 || Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
