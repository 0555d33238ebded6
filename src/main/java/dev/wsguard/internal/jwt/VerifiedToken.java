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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * The claim names, in the token's order, shared with every token of the same shape; {@code values} holds the
     * token's own values at the same indexes ({@code exp} and {@code iat} as the fields below).
     */
    private final Layout layout;
    private final Object[] values;
    private final long exp;
    private final long iat;
    // No fields for groups and the name: getGroups() and getName() read them from the values (8 B less per session).
    private final Set<String> scopes;

    VerifiedToken(JWTClaimsSet claimsSet) {
        Map<String, Object> all = claimsSet.getClaims();
        String[] keys = new String[all.size()];
        Object[] read = new Object[all.size()];
        int n = 0;
        for (Map.Entry<String, Object> claim : all.entrySet()) {
            String key = claim.getKey();
            Object value = claim.getValue();
            if (value == null || RAW_TOKEN.equals(key)) {
                continue;
            }
            keys[n] = key;
            read[n++] = switch (key) {
                case "aud" -> stringSet(claimsSet.getAudience());
                case "groups" -> stringSet(value);
                default -> SECONDS_CLAIMS.contains(key) ? seconds(value) : plain(value);
            };
        }
        // Every open session holds its identity: the names are shared by every token of the same shape, and a
        // value equal to the one the previous token of that shape carried (issuer, tenant, roles, scopes) is that
        // same instance, so a session keeps little more than its own subject and token id.
        this.layout = Layout.of(n == keys.length ? keys : Arrays.copyOf(keys, n));
        this.values = layout.share(read, n);
        this.exp = layout.seconds(values, "exp");
        this.iat = layout.seconds(values, "iat");
        this.scopes = layout.shareScopes(readScopes(layout, values));
    }

    /**
     * The claim names of one token shape, and the last value each name had: a new token's equal value is replaced
     * by that instance. The names are interned once, when the shape is first seen.
     */
    private static final class Layout {
        /** Shapes kept for sharing; tokens of other shapes keep their own names (nothing is evicted). */
        private static final int MAX_SHARED = 64;
        private static final Map<Integer, Layout[]> SHARED = new ConcurrentHashMap<>();
        private static final AtomicInteger COUNT = new AtomicInteger();
        private static volatile Layout last;

        final String[] keys;
        final Set<String> names;
        /** Benign races: each slot holds an immutable value (String, Set, List, Map), safely published. */
        private final Object[] previous;
        private Set<String> previousScopes;

        private Layout(String[] keys) {
            this.keys = keys;
            this.names = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(keys)));
            this.previous = new Object[keys.length];
        }

        static Layout of(String[] keys) {
            Layout recent = last;
            if (recent != null && recent.sameAs(keys)) {
                return recent;
            }
            int hash = Arrays.hashCode(keys);
            Layout[] known = SHARED.get(hash);
            if (known != null) {
                for (Layout layout : known) {
                    if (layout.sameAs(keys)) {
                        last = layout;
                        return layout;
                    }
                }
            }
            // Claim names repeat in every token: one shared copy each, not one per open session.
            String[] interned = new String[keys.length];
            for (int i = 0; i < keys.length; i++) {
                interned[i] = keys[i].intern();
            }
            Layout made = new Layout(interned);
            if (COUNT.get() < MAX_SHARED) {
                COUNT.incrementAndGet();
                SHARED.merge(hash, new Layout[] {made}, (a, b) -> {
                    Layout[] both = Arrays.copyOf(a, a.length + 1);
                    both[a.length] = b[0];
                    return both;
                });
                last = made;
            }
            return made;
        }

        private boolean sameAs(String[] other) {
            if (other.length != keys.length) {
                return false;
            }
            for (int i = 0; i < keys.length; i++) {
                if (!keys[i].equals(other[i])) {
                    return false;
                }
            }
            return true;
        }

        /** The values, each replaced by the previous token's equal one, or by an equal one of this token. */
        Object[] share(Object[] read, int n) {
            Object[] kept = n == read.length ? read : Arrays.copyOf(read, n);
            for (int i = 0; i < n; i++) {
                Object value = kept[i];
                Object before = previous[i];
                if (before != null && same(before, value)) {
                    kept[i] = before;
                    continue;
                }
                for (int j = 0; j < i; j++) {
                    if (value instanceof String && kept[j] instanceof String && value.equals(kept[j])) {
                        kept[i] = kept[j];
                        break;
                    }
                }
                if (!(value instanceof Long)) {
                    previous[i] = kept[i];
                }
            }
            return kept;
        }

        Set<String> shareScopes(Set<String> scopes) {
            Set<String> before = previousScopes;
            if (before != null && same(before, scopes)) {
                return before;
            }
            previousScopes = scopes;
            return scopes;
        }

        /** Equal and of the same kind; sets compared in order, as they are kept. */
        private static boolean same(Object a, Object b) {
            if (a instanceof SmallSet x && b instanceof SmallSet y) {
                return Arrays.equals(x.items, y.items);
            }
            return a.getClass() == b.getClass() && !(a instanceof Set) && a.equals(b);
        }

        int index(String key) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == key) {
                    return i;
                }
            }
            for (int i = 0; i < keys.length; i++) {
                if (keys[i].equals(key)) {
                    return i;
                }
            }
            return -1;
        }

        Object get(Object[] values, String key) {
            int i = index(key);
            return i < 0 ? null : values[i];
        }

        /** A seconds claim's value, moved out of the values into a field: 0 when absent. */
        long seconds(Object[] values, String key) {
            int i = index(key);
            if (i >= 0 && values[i] instanceof Long seconds) {
                values[i] = null;
                return seconds;
            }
            return 0L;
        }
    }

    /** MP-JWT rule: {@code upn}, else {@code preferred_username}, else {@code sub}. */
    @Override
    public String getName() {
        return firstString(layout, values, "upn", "preferred_username", "sub");
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
        return exp;
    }

    @Override
    public long getIssuedAtTime() {
        return iat;
    }

    /** The {@code groups} claim; empty, never null, when absent. */
    @Override
    public Set<String> getGroups() {
        return layout.get(values, "groups") instanceof Set<?> groups ? castSet(groups) : Set.of();
    }

    @Override
    public Set<String> getClaimNames() {
        return layout.names;
    }

    @Override
    public boolean containsClaim(String claimName) {
        return claimName != null && layout.index(claimName) >= 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getClaim(String claimName) {
        if (claimName == null) {
            return null;
        }
        int i = layout.index(claimName);
        if (i < 0) {
            return null;
        }
        Object value = values[i];
        if (value == null) {
            // exp and iat, kept as fields.
            value = "exp".equals(claimName) ? exp : iat;
        }
        return (T) value;
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
        return layout.get(values, claimName) instanceof String value ? value : null;
    }

    private static String firstString(Layout layout, Object[] values, String... names) {
        for (String n : names) {
            if (layout.get(values, n) instanceof String value && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static Set<String> readScopes(Layout layout, Object[] values) {
        int scopeAt = layout.index("scope");
        Object scope = scopeAt >= 0 ? values[scopeAt] : layout.get(values, "scp");
        if (scope instanceof String text) {
            // Split as the regular expression \s+ did, after strip(): on ASCII space, tab, CR, LF, VT and FF only,
            // so that no other character ever cuts one scope into two.
            String stripped = text.strip();
            Set<String> result = new LinkedHashSet<>();
            int start = -1;
            for (int i = 0; i <= stripped.length(); i++) {
                boolean space = i == stripped.length() || isRegexSpace(stripped.charAt(i));
                if (space && start >= 0) {
                    result.add(stripped.substring(start, i).intern());
                    start = -1;
                } else if (!space && start < 0) {
                    start = i;
                }
            }
            return freeze(result);
        }
        return stringSet(scope);
    }

    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
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
