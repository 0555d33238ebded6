package dev.wsguard;

import dev.wsguard.internal.LiveSessions;
import dev.wsguard.internal.cluster.ClusterNotices;
import dev.wsguard.internal.cluster.Notice;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revocation by user or by token id, in memory, with the operator calls that act on live sessions at once.
 *
 * <p>{@link #revokeUser} refuses every token of the subject issued at or before the call and closes the subject's
 * open guarded sessions with 4401; a token issued later (a new login) passes. {@link #revokeToken} refuses one
 * {@code jti}. Entries are dropped once no token they could match can still be valid ({@code retention}, the
 * maximum token lifetime), so the maps stay bounded by what was revoked within that time.
 *
 * <p>With a shared cluster store ({@code wsguard.cluster.store=redis}) the {@linkplain #shared() shared instance}
 * tells the other nodes, which refuse the same tokens and close their own sessions of the subject (docs/cluster.md);
 * other instances act on this node only. Thread-safe.
 */
public final class Revocations implements RevocationCheck {

    private static final Revocations SHARED = new Revocations(Duration.ofHours(24), Clock.systemUTC());

    static {
        ClusterNotices.receiver(SHARED::received);
    }

    private final ConcurrentHashMap<String, Instant> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Duration retention;
    private final Clock clock;

    public Revocations(Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    /** The process-wide instance every guard consults unless configured otherwise. */
    public static Revocations shared() {
        return SHARED;
    }

    /**
     * Revokes every token of {@code subject} issued until now and closes its open guarded sessions (4401).
     *
     * @return how many sessions were closed
     */
    public int revokeUser(String subject) {
        Instant now = clock.instant();
        int closed = revokeUserHere(subject, now);
        tell(Notice.Kind.REVOKE_USER, subject, now);
        return closed;
    }

    /** Revokes one token by its {@code jti} and closes the sessions that hold it (4401). */
    public int revokeToken(String tokenId) {
        Instant now = clock.instant();
        int closed = revokeTokenHere(tokenId, now);
        tell(Notice.Kind.REVOKE_TOKEN, tokenId, now);
        return closed;
    }

    private int revokeUserHere(String subject, Instant at) {
        users.merge(subject, at, (a, b) -> a.isAfter(b) ? a : b);
        purge();
        return LiveSessions.closeRevoked(subject, this);
    }

    private int revokeTokenHere(String tokenId, Instant at) {
        tokens.putIfAbsent(tokenId, at);
        purge();
        return LiveSessions.closeRevokedToken(tokenId, this);
    }

    private void tell(Notice.Kind kind, String value, Instant at) {
        if (this == SHARED) {
            ClusterNotices.publish(new Notice(kind, value, at.toEpochMilli()));
        }
    }

    /** Another node revoked: refuse the same here and close this node's sessions it covers. */
    private void received(Notice notice) {
        Instant at = Instant.ofEpochMilli(notice.atEpochMillis());
        switch (notice.kind()) {
            case REVOKE_USER -> revokeUserHere(notice.value(), at);
            case REVOKE_TOKEN -> revokeTokenHere(notice.value(), at);
            default -> throw new IllegalArgumentException(notice.kind().name());
        }
    }

    @Override
    public boolean isRevoked(JsonWebToken token) {
        if (!users.isEmpty()) {
            Instant revokedAt = users.get(token.getSubject());
            if (revokedAt != null && token.getIssuedAtTime() <= revokedAt.getEpochSecond()) {
                return true;
            }
        }
        return !tokens.isEmpty() && token.getTokenID() != null && tokens.containsKey(token.getTokenID());
    }

    private void purge() {
        Instant horizon = clock.instant().minus(retention);
        users.values().removeIf(at -> at.isBefore(horizon));
        tokens.values().removeIf(at -> at.isBefore(horizon));
    }
}
