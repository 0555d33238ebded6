package dev.wsguard.internal;

import dev.wsguard.GuardConfigException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a browser {@code Origin} may open a socket: exact match of scheme, host and port after
 * normalisation (lower case, default ports dropped), or a subdomain wildcard {@code scheme://*.domain[:port]} that
 * matches at least one extra label and nothing else: not the bare domain, not {@code evil-domain}, not
 * {@code domain.evil.net}, not another scheme or port. {@code Origin: null}, malformed origins (path, userinfo,
 * whitespace, non-canonical port, trailing dot) never match. An empty allowlist cannot be built. Immutable and
 * thread-safe.
 */
public final class OriginAllowlist {

    // RFC 6454 serialisation: scheme "://" host [ ":" port ]; nothing else may follow.
    private static final Pattern ORIGIN = Pattern.compile(
            "([a-z][a-z0-9+.-]*)://(\\[[0-9a-f:.]+\\]|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*"
                    + "[a-z0-9])?)*)(?::([1-9][0-9]{0,4}))?");
    private static final Pattern WILDCARD = Pattern.compile(
            "([a-z][a-z0-9+.-]*)://\\*\\.([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)"
                    + "(?::([1-9][0-9]{0,4}))?");

    private record Entry(String scheme, String host, int port, boolean wildcard) {
        boolean matches(Origin o) {
            if (!scheme.equals(o.scheme) || port != o.port) {
                return false;
            }
            return wildcard ? o.host.endsWith("." + host) : host.equals(o.host);
        }
    }

    private record Origin(String scheme, String host, int port) {
    }

    private final List<Entry> entries;
    private final List<String> described;
    /**
     * Each exact entry as a browser serialises it (lower case, default port left out), with the answer the full
     * check gives for that string: the usual Origin header is then one lookup, with the same answer.
     */
    private final Map<String, Optional<String>> serialised;

    private OriginAllowlist(List<Entry> entries, List<String> described) {
        this.entries = List.copyOf(entries);
        this.described = List.copyOf(described);
        Map<String, Optional<String>> known = new HashMap<>();
        for (Entry e : this.entries) {
            if (!e.wildcard) {
                String origin = e.scheme + "://" + e.host + (e.port == port(e.scheme, null, "") ? "" : ":" + e.port);
                known.put(origin, check(origin));
            }
        }
        this.serialised = Map.copyOf(known);
    }

    /**
     * @throws GuardConfigException for an empty list, {@code *}, {@code null}, or an entry that is not an origin
     */
    public static OriginAllowlist of(List<String> configured) {
        List<Entry> entries = new ArrayList<>();
        List<String> described = new ArrayList<>();
        for (String raw : configured) {
            String trimmed = raw.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (!isAscii(trimmed)) {
                throw new GuardConfigException("wsguard.origins.allowed: '" + trimmed + "' has non-ASCII characters;"
                        + " write international domain names in their xn-- form, as browsers send them");
            }
            String s = trimmed.toLowerCase(Locale.ROOT);
            if (s.equals("*") || s.equals("null")) {
                throw new GuardConfigException("wsguard.origins.allowed: '" + s + "' is not allowed; list each"
                        + " origin (a wildcard may only stand for subdomains: https://*.example.com)");
            }
            Matcher w = WILDCARD.matcher(s);
            if (w.matches()) {
                entries.add(new Entry(w.group(1), w.group(2), port(w.group(1), w.group(3), raw), true));
            } else {
                Matcher m = ORIGIN.matcher(s);
                if (!m.matches() || !isHost(m.group(2))) {
                    throw new GuardConfigException("wsguard.origins.allowed: '" + raw.trim() + "' is not an origin"
                            + " (scheme://host[:port], no path, no trailing slash)");
                }
                entries.add(new Entry(m.group(1), m.group(2), port(m.group(1), m.group(3), raw), false));
            }
            described.add(s);
        }
        if (entries.isEmpty()) {
            throw new GuardConfigException("wsguard.origins.allowed is empty: with no allowlist no browser origin"
                    + " could pass, so the endpoint is refused rather than left open");
        }
        return new OriginAllowlist(entries, described);
    }

    /** Whether {@code origin}, exactly as the client sent it, is allowed. False for null and malformed input. */
    public boolean allows(String origin) {
        return entryFor(origin).isPresent();
    }

    /**
     * The configured entry (as in {@link #entries()}) that allows {@code origin}: a value from a fixed set, fit for a
     * metric tag where the origin itself is attacker-chosen. Empty when none does.
     */
    public Optional<String> entryFor(String origin) {
        Optional<String> known = origin == null ? null : serialised.get(origin);
        return known != null ? known : check(origin);
    }

    private Optional<String> check(String origin) {
        Optional<Origin> parsed = parse(origin);
        if (parsed.isEmpty()) {
            return Optional.empty();
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).matches(parsed.get())) {
                return Optional.of(described.get(i));
            }
        }
        return Optional.empty();
    }

    /** The configured entries, normalised to lower case. */
    public List<String> entries() {
        return described;
    }

    private static Optional<Origin> parse(String origin) {
        if (origin == null || origin.length() > 2048 || !isAscii(origin)) {
            return Optional.empty();
        }
        // No trimming: browsers send the serialisation exactly; anything else is not a browser origin.
        // ASCII is checked before lower-casing because some non-ASCII letters fold INTO ASCII (U+212A KELVIN
        // SIGN lower-cases to 'k'), which would let a look-alike host match an allowed one.
        Matcher m = ORIGIN.matcher(origin.toLowerCase(Locale.ROOT));
        if (!m.matches() || !isHost(m.group(2))) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Origin(m.group(1), m.group(2), port(m.group(1), m.group(3), origin)));
        } catch (GuardConfigException e) {
            return Optional.empty();
        }
    }

    /**
     * A host name, or a bracketed IPv6 literal that is one: the pattern lets through any hex digits, colons and dots
     * in brackets ({@code [5]}, {@code [:]}), which no browser sends and no configuration should name.
     */
    private static boolean isHost(String host) {
        if (!host.startsWith("[")) {
            return true;
        }
        String literal = host.substring(1, host.length() - 1);
        for (String group : literal.split(":", -1)) {
            // The JDK also reads groups of more than four digits ([00009::]); RFC 4291 does not.
            if (group.length() > 4 && group.indexOf('.') < 0) {
                return false;
            }
        }
        return literal.indexOf(':') >= 0 && ClientAddress.numeric(literal) != null;
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7e || s.charAt(i) < 0x21) {
                return false;
            }
        }
        return true;
    }

    private static int port(String scheme, String digits, String raw) {
        if (digits == null) {
            return switch (scheme) {
                case "http", "ws" -> 80;
                case "https", "wss" -> 443;
                default -> -1;
            };
        }
        int port = Integer.parseInt(digits);
        if (port > 65535) {
            throw new GuardConfigException("port out of range in origin '" + raw.trim() + "'");
        }
        return port;
    }

    @Override
    public String toString() {
        return "OriginAllowlist" + described;
    }
}
