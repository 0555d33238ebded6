package dev.wsguard.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The one list of configuration keys the library reads. {@code GuardConfig.fromConfig} reads through
 * {@link #checked}, so a key missing here fails the first test that reads it; {@code docs/configuration.md} and the
 * sample {@code server-config/microprofile-config.properties} are checked against this list by tests.
 *
 * <p>A configured {@code wsguard.*} key that is not on the list is reported at start-up with the nearest known key
 * when it lies under one of the library's sections ({@code wsguard.token.}, {@code wsguard.bans.}, ...) or its
 * section is a near miss of one ({@code wsguard.orgins.allowed}). Other {@code wsguard.*} names (an application's
 * own, such as the example's {@code wsguard.host}) are left alone. Keys under {@code wsguard.rate-limit.} are not
 * reported here: {@code GuardConfig} refuses an unknown one outright.
 */
public final class ConfigKeys {

    private ConfigKeys() {
    }

    /** Every key read as is, in the order of {@code docs/configuration.md}. */
    public static final List<String> KEYS = List.of(
            "wsguard.origins.allowed",
            "wsguard.origins.allow-missing",
            "mp.jwt.verify.publickey",
            "mp.jwt.verify.publickey.location",
            "mp.jwt.verify.publickey.algorithm",
            "mp.jwt.verify.issuer",
            "mp.jwt.verify.audiences",
            "mp.jwt.verify.clock.skew",
            "mp.jwt.token.header",
            "mp.jwt.token.cookie",
            "wsguard.token.sources",
            "wsguard.token.query-parameter",
            "wsguard.token.max-lifetime",
            "wsguard.token.jwks-refresh",
            "wsguard.token.jwks-fetch-wait",
            "wsguard.token.cache-size",
            "wsguard.token.cache-ttl",
            "wsguard.auth.mode",
            "wsguard.auth.deadline",
            "wsguard.trusted-proxies",
            "wsguard.address.ipv6-prefix-length",
            "wsguard.handshake.limit-for-period",
            "wsguard.handshake.limit-refresh-period",
            "wsguard.connections.max-per-address",
            "wsguard.connections.max-per-user",
            "wsguard.connections.max-per-endpoint",
            "wsguard.connections.max-total",
            "wsguard.session.max-lifetime",
            "wsguard.session.ping-interval",
            "wsguard.outbound.max-bytes",
            "wsguard.outbound.max-messages",
            "wsguard.message.max-bytes",
            "wsguard.message.malformed",
            "wsguard.message.max-violations",
            "wsguard.message.violation-window",
            "wsguard.rate-limit.max-keys",
            "wsguard.bans.enabled",
            "wsguard.bans.max-violations",
            "wsguard.bans.window",
            "wsguard.bans.duration",
            "wsguard.cluster.store",
            "wsguard.cluster.redis.uri",
            "wsguard.cluster.jcache.provider",
            "wsguard.cluster.jcache.uri",
            "wsguard.cluster.lease",
            "wsguard.cluster.on-store-failure",
            "wsguard.cluster.timeout",
            "wsguard.cluster.batch-percent",
            "wsguard.metrics.enabled");

    /** Keys with a name in them: {@code <name>} is {@code session} or a name an endpoint declares in a rate limit. */
    public static final List<String> PATTERNS = List.of(
            "wsguard.rate-limit.<name>.limit-for-period",
            "wsguard.rate-limit.<name>.limit-refresh-period");

    private static final String RATE_LIMIT = "wsguard.rate-limit.";
    private static final Set<String> SECTIONS = sections();

    /** Whether the library reads {@code key}, as listed or as an instance of a pattern. */
    public static boolean known(String key) {
        if (KEYS.contains(key)) {
            return true;
        }
        for (String pattern : PATTERNS) {
            String suffix = pattern.substring(pattern.indexOf("<name>") + "<name>".length());
            if (key.startsWith(RATE_LIMIT) && key.endsWith(suffix)
                    && key.length() > RATE_LIMIT.length() + suffix.length()) {
                return true;
            }
        }
        return false;
    }

    /** {@code lookup}, refusing with {@link IllegalStateException} a key this list does not know: a coding error. */
    public static Function<String, Optional<String>> checked(Function<String, Optional<String>> lookup) {
        return key -> {
            if (!known(key)) {
                throw new IllegalStateException(key + " is read but not listed in ConfigKeys");
            }
            return lookup.apply(key);
        };
    }

    /**
     * One line for each configured name that looks meant for the library but is not a key it reads, naming the
     * nearest key; empty when there is none.
     */
    public static List<String> unknown(Set<String> configured) {
        List<String> lines = new ArrayList<>();
        for (String name : new TreeSet<>(configured)) {
            if (!name.startsWith("wsguard.") || name.startsWith(RATE_LIMIT) || known(name) || !ours(name)) {
                continue;
            }
            lines.add(name + " is not a wsguard key and is ignored; did you mean " + nearest(name) + "?");
        }
        return lines;
    }

    /** The listed key closest to {@code name} by edit distance. */
    static String nearest(String name) {
        String best = KEYS.get(0);
        int bestDistance = Integer.MAX_VALUE;
        for (String key : KEYS) {
            int d = distance(name, key);
            if (d < bestDistance) {
                best = key;
                bestDistance = d;
            }
        }
        return best;
    }

    private static boolean ours(String name) {
        String section = section(name);
        if (SECTIONS.contains(section)) {
            return true;
        }
        int tolerance = Math.max(1, section.length() / 4);
        return SECTIONS.stream().anyMatch(s -> distance(section, s) <= tolerance);
    }

    /** {@code origins} for {@code wsguard.origins.allowed}, {@code trusted-proxies} for that key. */
    private static String section(String key) {
        String rest = key.substring("wsguard.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static Set<String> sections() {
        Set<String> sections = new TreeSet<>();
        for (String key : KEYS) {
            if (key.startsWith("wsguard.")) {
                sections.add(section(key));
            }
        }
        return sections;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int change = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1], previous[j]) + 1, previous[j - 1] + change);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
