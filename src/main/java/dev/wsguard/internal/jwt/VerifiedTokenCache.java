package dev.wsguard.internal.jwt;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens whose signature and claims already verified, so a client that reconnects with the same token costs no
 * second RSA or EC verification.
 *
 * <p>Threats it must not open: a tampered token reusing a cached verdict, and a verdict outliving its token. Entries
 * are keyed by the SHA-256 of the whole token, so a token that differs in any character (header, claims or
 * signature) is a different key and goes through full verification; only valid verdicts are stored. An entry is
 * used only while the clock is before both the token's {@code exp} (without the clock skew verification allows)
 * and the moment it was stored plus {@code ttl}, and only while the verification key set is the one it was verified
 * against ({@code keySetVersion}). Everything that does not depend on the signature (revocation, origin, quotas,
 * the session's expiry timer) runs on a hit as on a miss: callers get the same {@link VerifiedToken} either way.
 *
 * <p>Bounded: at most {@code maxEntries} (a few KB each: the claims); when full, expired entries are dropped and,
 * if that frees nothing, one arbitrary entry makes room. Thread-safe.
 */
final class VerifiedTokenCache {

    /** Its own key (the token's digest) and the verdict: one object per cached token, not two. */
    private static final class Entry extends TokenDigest {
        final VerifiedToken token;
        final long deadlineMillis;
        final long keySetVersion;

        Entry(TokenDigest key, VerifiedToken token, long deadlineMillis, long keySetVersion) {
            super(key);
            this.token = token;
            this.deadlineMillis = deadlineMillis;
            this.keySetVersion = keySetVersion;
        }
    }

    private final int maxEntries;
    private final long ttlMillis;
    private final Clock clock;
    private final ConcurrentHashMap<TokenDigest, Entry> entries = new ConcurrentHashMap<>();
    private long lastSweep = Long.MIN_VALUE;

    /**
     * @param maxEntries most tokens held; at least 1
     * @param ttl        longest an entry is used, whatever the token's expiry; positive
     * @param clock      the verifier's clock
     */
    VerifiedTokenCache(int maxEntries, Duration ttl, Clock clock) {
        if (maxEntries < 1 || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("cache size and ttl must be positive");
        }
        this.maxEntries = maxEntries;
        this.ttlMillis = ttl.toMillis();
        this.clock = clock;
    }

    /** The key of {@code token}. */
    static TokenDigest keyOf(String token) {
        return TokenDigest.of(token);
    }

    /**
     * @param key            from {@link #keyOf(String)}
     * @param keySetVersion  the verification keys' current version; negative when they cannot be read
     * @return the cached identity, or null when absent, past its deadline or verified against other keys
     */
    VerifiedToken get(TokenDigest key, long keySetVersion) {
        Entry entry = entries.get(key);
        if (entry == null || keySetVersion < 0) {
            return null;
        }
        if (clock.millis() >= entry.deadlineMillis || entry.keySetVersion != keySetVersion) {
            entries.remove(key, entry);
            return null;
        }
        return entry.token;
    }

    /**
     * Stores a token that has just verified against the keys of {@code keySetVersion} (the set key selection chose
     * from, even one fetched during that verification), so any later key change makes the entry stale at once.
     */
    void put(TokenDigest key, VerifiedToken token, long keySetVersion) {
        long now = clock.millis();
        long exp = token.getExpirationTime();
        if (exp <= 0 || keySetVersion < 0) {
            return;
        }
        long deadline = Math.min(exp > Long.MAX_VALUE / 1000L ? Long.MAX_VALUE : exp * 1000L, now + ttlMillis);
        if (deadline <= now) {
            return;
        }
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            makeRoom(now);
        }
        Entry entry = new Entry(key, token, deadline, keySetVersion);
        // A map keeps the key it has: without the removal, a replaced entry would live on as the new one's key.
        entries.remove(entry);
        entries.put(entry, entry);
    }

    private synchronized void makeRoom(long now) {
        // A sweep visits every entry: at most one a second, so a stream of new tokens cannot make each put O(n).
        if (now - lastSweep >= 1000L) {
            lastSweep = now;
            entries.values().removeIf(e -> now >= e.deadlineMillis);
        }
        Iterator<TokenDigest> it = entries.keySet().iterator();
        while (entries.size() >= maxEntries && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    int size() {
        return entries.size();
    }
}
