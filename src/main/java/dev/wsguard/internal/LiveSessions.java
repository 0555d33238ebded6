package dev.wsguard.internal;

import dev.wsguard.RevocationCheck;
import dev.wsguard.WsGuard;
import jakarta.websocket.Session;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The open guarded sessions of this process by subject, so that an operator's revocation reaches them at once.
 * Entries are added when a guarded session opens and removed on every close. A subject with one session (the usual
 * case) maps to that session itself, with several to an array of them: every open session costs one map entry, no
 * set. Thread-safe.
 */
public final class LiveSessions {

    /** Subject to its {@link Session}, or to a {@code Session[]} of two or more; never empty. */
    private static final ConcurrentHashMap<String, Object> BY_SUBJECT = new ConcurrentHashMap<>();
    private static volatile Consumer<Session> closer = s -> { };

    private LiveSessions() {
    }

    /** How a revoked session is closed (set by the message guard: close 4401 with its security event). */
    public static void closer(Consumer<Session> close) {
        closer = close;
    }

    public static void opened(String subject, Session session) {
        BY_SUBJECT.merge(subject, session, (present, added) -> {
            Session[] now = sessions(present);
            for (Session s : now) {
                if (s == added) {
                    return present;
                }
            }
            Session[] more = Arrays.copyOf(now, now.length + 1);
            more[now.length] = (Session) added;
            return more;
        });
    }

    public static void closed(String subject, Session session) {
        BY_SUBJECT.computeIfPresent(subject, (s, present) -> {
            Session[] now = sessions(present);
            Session[] left = new Session[now.length];
            int n = 0;
            for (Session open : now) {
                if (open != session) {
                    left[n++] = open;
                }
            }
            return n == 0 ? null : n == 1 ? left[0] : n == now.length ? present : Arrays.copyOf(left, n);
        });
    }

    public static int closeRevoked(String subject, RevocationCheck check) {
        Object present = BY_SUBJECT.get(subject);
        return present == null ? 0 : closeWhere(sessions(present), check);
    }

    public static int closeRevokedToken(String tokenId, RevocationCheck check) {
        int closed = 0;
        for (Object present : BY_SUBJECT.values()) {
            for (Session s : sessions(present)) {
                if (s.getUserProperties().get(WsGuard.IDENTITY) instanceof JsonWebToken jwt
                        && tokenId.equals(jwt.getTokenID())) {
                    closed += closeWhere(new Session[] {s}, check);
                }
            }
        }
        return closed;
    }

    private static Session[] sessions(Object present) {
        return present instanceof Session one ? new Session[] {one} : (Session[]) present;
    }

    private static int closeWhere(Session[] sessions, RevocationCheck check) {
        int closed = 0;
        for (Session s : sessions) {
            if (s.isOpen() && s.getUserProperties().get(WsGuard.IDENTITY) instanceof JsonWebToken jwt
                    && check.isRevoked(jwt)) {
                closer.accept(s);
                closed++;
            }
        }
        return closed;
    }
}
