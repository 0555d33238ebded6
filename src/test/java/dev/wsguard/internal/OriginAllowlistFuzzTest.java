package dev.wsguard.internal;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wsguard.GuardConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The origin allowlist on any configured list and any {@code Origin} value: building it either succeeds or refuses
 * with {@link GuardConfigException}; {@code allows} never throws; and an allowed origin is, read by
 * {@link java.net.URI} and normalised as documented (ASCII lower case, default port dropped), equal to a configured
 * origin or a subdomain of a configured wildcard at a dot boundary, with the same scheme and port. Every exact entry
 * allows its own browser serialisation. Plain test runs replay the saved inputs; docs/fuzzing.md says how to fuzz.
 */
class OriginAllowlistFuzzTest {

    private static final List<String> ENTRIES = List.of("https://chat.test", "http://chat.test:8080",
            "https://*.example.com", "https://*.example.com:8443", "http://[::1]:3000", "HTTPS://Chat.Test:443",
            "app://local", "https://xn--bcher-kva.example", "http://localhost", "wss://*.a.b", "https://1.2.3.4");
    private static final List<String> SCHEMES = List.of("https", "http", "HTTPS", "wss", "app", "ftp", "");
    private static final List<String> HOSTS = List.of("chat.test", "CHAT.test", "a.example.com",
            "b.a.example.com", "example.com", "evil-example.com", "example.com.evil.net", "[::1]", "localhost",
            "xn--bcher-kva.example", "x.a.b", "a.b", "1.2.3.4", "chat.test.", "chat.\u212Aest", "");
    private static final List<String> PORTS = List.of("", ":443", ":80", ":8080", ":8443", ":3000", ":0443",
            ":65536", ":99999", ":", ":1");

    @FuzzTest
    void allowsWhenAnyOriginThenOnlyConfiguredOriginsAndTheirSubdomains(FuzzedDataProvider data) {
        List<String> configured = new ArrayList<>();
        int count = data.consumeInt(1, 3);
        for (int i = 0; i < count; i++) {
            configured.add(data.consumeInt(0, 3) == 0 ? data.consumeString(40) : data.pickValue(ENTRIES));
        }
        OriginAllowlist allowlist;
        try {
            allowlist = OriginAllowlist.of(configured);
        } catch (GuardConfigException refused) {
            return; // the documented refusal of a list that is not one of origins
        }
        for (String entry : configured) {
            String canonical = serialisation(entry);
            if (canonical != null) {
                assertThat(allowlist.allows(canonical)).as("%s allows %s", entry, canonical).isTrue();
                assertThat(allowlist.allows(canonical.toUpperCase(Locale.ROOT))).isTrue();
            }
        }
        String origin = data.consumeBoolean() ? data.consumeRemainingAsString()
                : data.pickValue(SCHEMES) + data.pickValue(List.of("://", ":/", "://*.", "://user@", ""))
                        + data.pickValue(HOSTS) + data.pickValue(PORTS)
                        + data.pickValue(List.of("", "", "/", "/path", "?q", "#f", " ", "\t", "%2e"))
                        + data.consumeRemainingAsString();

        Optional<String> entry = allowlist.entryFor(origin);

        assertThat(allowlist.allows(origin)).isEqualTo(entry.isPresent());
        if (entry.isPresent()) {
            assertThat(allowlist.entries()).contains(entry.get());
            assertThat(origin.chars().allMatch(c -> c > 0x20 && c < 0x7F)).as("printable ASCII only").isTrue();
            Origin parsed = Origin.read(origin);
            assertThat(parsed).as("%s is an origin", origin).isNotNull();
            assertThat(configured.stream().anyMatch(c -> parsed.matches(c)))
                    .as("%s matches one of %s", origin, configured).isTrue();
        }
    }

    /** How a browser writes the origin an exact entry names; null for a wildcard or what is not an origin. */
    private static String serialisation(String entry) {
        Origin o = Origin.read(entry.trim());
        if (o == null || entry.contains("*")) {
            return null;
        }
        return o.scheme + "://" + o.host + (o.port == Origin.defaultPort(o.scheme) ? "" : ":" + o.port);
    }

    /** Scheme, host and port as {@link URI} reads them, lower case, the default port filled in. */
    private record Origin(String scheme, String host, int port) {

        static Origin read(String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                return null;
            }
            if (uri.getScheme() == null || uri.getRawAuthority() == null || uri.getRawUserInfo() != null
                    || !uri.getRawPath().isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return null;
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost();
            int port = uri.getPort();
            if (host == null) {
                // URI reads a host such as "1.3" (last label numeric) as a registry name: split it by hand.
                String authority = uri.getRawAuthority();
                int colon = authority.lastIndexOf(':');
                host = colon < 0 ? authority : authority.substring(0, colon);
                try {
                    port = colon < 0 ? -1 : Integer.parseInt(authority.substring(colon + 1));
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return new Origin(scheme, host.toLowerCase(Locale.ROOT), port < 0 ? defaultPort(scheme) : port);
        }

        static int defaultPort(String scheme) {
            return switch (scheme) {
                case "http", "ws" -> 80;
                case "https", "wss" -> 443;
                default -> -1;
            };
        }

        /** Whether this origin is the configured one, or a subdomain of it when it is a wildcard. */
        boolean matches(String configured) {
            String entry = configured.trim();
            boolean wildcard = entry.contains("://*.");
            Origin allowed = read(wildcard ? entry.replace("://*.", "://") : entry);
            if (allowed == null || !allowed.scheme.equals(scheme) || allowed.port != port) {
                return false;
            }
            return wildcard ? host.endsWith("." + allowed.host) && host.length() > allowed.host.length() + 1
                    : host.equals(allowed.host);
        }
    }
}
