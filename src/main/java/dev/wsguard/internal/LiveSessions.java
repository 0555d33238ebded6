package dev.wsguard.internal;

import dev.wsguard.RevocationCheck;
import dev.wsguard.WsGuard;
import jakarta.websocket.Session;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The open guarded sessions of this process by subject, so that an operator's revocation reaches them at once.
 * Entries are added when a guarded session opens and removed on every close. Thread-safe.
 */
public final class LiveSessions {

    private static final ConcurrentHashMap<String, Set<Session>> BY_SUBJECT = new ConcurrentHashMap<>();
    private static volatile Consumer<Session> closer = s -> { };

    private LiveSessions() {
    }

    /** How a revoked session is closed (set by the message guard: close 4401 with its security event). */
    public static void closer(Consumer<Session> close) {
        closer = close;
    }

    public static void opened(String subject, Session session) {
        BY_SUBJECT.computeIfAbsent(subject, s -> ConcurrentHashMap.newKeySet()).add(session);
    }

    public static void closed(String subject, Session session) {
        BY_SUBJECT.computeIfPresent(subject, (s, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }

    public static int closeRevoked(String subject, RevocationCheck check) {
        Set<Session> sessions = BY_SUBJECT.get(subject);
        return sessions == null ? 0 : closeWhere(sessions, check);
    }

    public static int closeRevokedToken(String tokenId, RevocationCheck check) {
        int closed = 0;
        for (Set<Session> sessions : BY_SUBJECT.values()) {
            for (Session s : sessions) {
                if (s.getUserProperties().get(WsGuard.IDENTITY) instanceof JsonWebToken jwt
                        && tokenId.equals(jwt.getTokenID())) {
                    closed += closeWhere(Set.of(s), check);
                }
            }
        }
        return closed;
    }

    private static int closeWhere(Set<Session> sessions, RevocationCheck check) {
        int closed = 0;
        for (Session s : Set.copyOf(sessions)) {
            if (s.isOpen() && s.getUserProperties().get(WsGuard.IDENTITY) instanceof JsonWebToken jwt
                    && check.isRevoked(jwt)) {
                closer.accept(s);
                closed++;
            }
        }
        return closed;
    }
}
