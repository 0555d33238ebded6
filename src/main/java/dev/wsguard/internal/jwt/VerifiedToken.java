package dev.wsguard.internal.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The identity from a verified token, as an MP-JWT {@link JsonWebToken}.
 *
 * <p>Threat: leaking the credential. The raw token is not kept: {@link #getRawToken()} and
 * {@code getClaim("raw_token")} return null even if the token carried such a claim, and {@link #toString()} prints
 * no claim value. Claim values are plain Java types: {@link String}, {@link Long} or {@link Double},
 * {@link Boolean}, unmodifiable {@link List} and {@link Map}; {@code exp}, {@code iat}, {@code nbf} and
 * {@code auth_time} are {@link Long} seconds; {@code aud} and {@code groups} are {@code Set<String>}. Claims with a
 * JSON null value are treated as absent.
 *
 * <p>Every default method of {@link JsonWebToken} that goes through {@code org.eclipse.microprofile.jwt.Claims} is
 * overridden: that enum references {@code jakarta.json} types and fails to load where JSON-P is absent.
 *
 * <p>Immutable and thread-safe.
 */
public final class VerifiedToken implements JsonWebToken {

    private static final Set<String> SECONDS_CLAIMS = Set.of("exp", "iat", "nbf", "auth_time");
    private static final String RAW_TOKEN = "raw_token";
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final Map<String, Object> claims;
    private final String name;
    private final Set<String> groups;
    private final Set<String> scopes;

    VerifiedToken(JWTClaimsSet claimsSet) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Object> claim : claimsSet.getClaims().entrySet()) {
            // Claim names repeat in every token: one shared copy each, not one per open session.
            String key = claim.getKey().intern();
            Object value = claim.getValue();
            if (value == null || RAW_TOKEN.equals(key)) {
                continue;
            }
            copy.put(key, switch (key) {
                case "aud" -> stringSet(claimsSet.getAudience());
                case "groups" -> stringSet(value);
                case "iss" -> value instanceof String issuer ? issuer.intern() : plain(value);
                default -> SECONDS_CLAIMS.contains(key) ? seconds(value) : plain(value);
            });
        }
        // Every open session holds its identity: compact immutable collections keep that to a few hundred bytes.
        this.claims = Map.copyOf(copy);
        this.groups = copy.get("groups") instanceof Set<?> ? stringSet(copy.get("groups")) : Set.of();
        this.scopes = readScopes(copy);
        this.name = firstString(copy, "upn", "preferred_username", "sub");
    }

    /** MP-JWT rule: {@code upn}, else {@code preferred_username}, else {@code sub}. */
    @Override
    public String getName() {
        return name;
    }

    /** Always null: the raw token is not kept after verification. */
    @Override
    public String getRawToken() {
        return null;
    }

    @Override
    public String getIssuer() {
        return stringClaim("iss");
    }

    @Override
    public Set<String> getAudience() {
        return getClaim("aud");
    }

    @Override
    public String getSubject() {
        return stringClaim("sub");
    }

    @Override
    public String getTokenID() {
        return stringClaim("jti");
    }

    @Override
    public long getExpirationTime() {
        return claims.get("exp") instanceof Long seconds ? seconds : 0L;
    }

    @Override
    public long getIssuedAtTime() {
        return claims.get("iat") instanceof Long seconds ? seconds : 0L;
    }

    /** The {@code groups} claim; empty, never null, when absent. */
    @Override
    public Set<String> getGroups() {
        return groups;
    }

    @Override
    public Set<String> getClaimNames() {
        return claims.keySet();
    }

    @Override
    public boolean containsClaim(String claimName) {
        return claims.containsKey(claimName);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getClaim(String claimName) {
        return (T) claims.get(claimName);
    }

    /**
     * The OAuth scopes: the space-separated {@code scope} claim, else {@code scp} (a string or an array).
     *
     * @return unmodifiable, empty when neither claim is present
     */
    public Set<String> scopes() {
        return scopes;
    }

    @Override
    public String toString() {
        return "VerifiedToken[***]";
    }

    private String stringClaim(String claimName) {
        return claims.get(claimName) instanceof String value ? value : null;
    }

    private static String firstString(Map<String, Object> claims, String... names) {
        for (String n : names) {
            if (claims.get(n) instanceof String value && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static Set<String> readScopes(Map<String, Object> claims) {
        Object scope = claims.containsKey("scope") ? claims.get("scope") : claims.get("scp");
        if (scope instanceof String text) {
            Set<String> result = new LinkedHashSet<>();
            for (String s : WHITESPACE.split(text.strip())) {
                if (!s.isEmpty()) {
                    result.add(s.intern());
                }
            }
            return freeze(result);
        }
        return stringSet(scope);
    }

    /**
     * Strings of a string or a string array, in order, each interned (audiences, roles and scopes are few and
     * shared by many tokens); other elements are dropped, so a mistyped claim grants nothing. A set built here is
     * returned as is.
     */
    private static Set<String> stringSet(Object value) {
        if (value instanceof SmallSet || value instanceof OrderedSet) {
            return castSet(value);
        }
        Set<String> result = new LinkedHashSet<>();
        if (value instanceof String s) {
            result.add(s.intern());
        } else if (value instanceof Collection<?> items) {
            for (Object item : items) {
                if (item instanceof String s) {
                    result.add(s.intern());
                }
            }
        }
        return freeze(result);
    }

    @SuppressWarnings("unchecked")
    private static Set<String> castSet(Object value) {
        return (Set<String>) value;
    }

    private static Set<String> freeze(Set<String> ordered) {
        if (ordered.isEmpty()) {
            return Set.of();
        }
        return ordered.size() <= SmallSet.MAX ? new SmallSet(ordered.toArray(String[]::new)) : new OrderedSet(ordered);
    }

    /** An immutable ordered set over an array, for the usual handful of roles or scopes: no hash table per token. */
    private static final class SmallSet extends AbstractSet<String> {
        static final int MAX = 16;

        private final String[] items;

        SmallSet(String[] items) {
            this.items = items;
        }

        @Override
        public boolean contains(Object o) {
            for (String item : items) {
                if (item.equals(o)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public Iterator<String> iterator() {
            return Arrays.asList(items).iterator();
        }

        @Override
        public int size() {
            return items.length;
        }
    }

    /** An immutable ordered set for more than {@link SmallSet#MAX} elements, with hashed lookups. */
    private static final class OrderedSet extends AbstractSet<String> {
        private final Set<String> items;

        OrderedSet(Set<String> ordered) {
            this.items = Collections.unmodifiableSet(new LinkedHashSet<>(ordered));
        }

        @Override
        public boolean contains(Object o) {
            return items.contains(o);
        }

        @Override
        public Iterator<String> iterator() {
            return items.iterator();
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    private static Object seconds(Object value) {
        if (value instanceof Date date) {
            return Math.floorDiv(date.getTime(), 1000L);
        }
        if (value instanceof Number number) {
            return number.longValue();
        }
        return plain(value);
    }

    private static Object plain(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() != null) {
                    copy.put(String.valueOf(e.getKey()), plain(e.getValue()));
                }
            }
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>(items.size());
            for (Object item : items) {
                copy.add(item == null ? null : plain(item));
            }
            return Collections.unmodifiableList(copy);
        }
        if (value instanceof Date date) {
            return Math.floorDiv(date.getTime(), 1000L);
        }
        return value;
    }
}
