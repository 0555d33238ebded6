package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.WsGuard;
import dev.wsguard.internal.HandshakeGuard;
import dev.wsguard.internal.TransportLink;
import dev.wsguard.testing.PlainClaims;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.testing.chat.GuardedChat;
import jakarta.websocket.CloseReason;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one ping a session gets where wsguard has no link to its connection and the runtime is not Undertow (Payara's
 * Tyrus): sent one close grace after the session opened; a session that answers nothing within the probe's wait is
 * closed 1001, so that a connection the client dropped right after the 101 gives its quota slot back. A fake session
 * records what the guard does; the timing is wsguard's own timer.
 */
class ConnectionProbeTest {

    private HandshakeGuard guard;

    @AfterEach
    void close() {
        if (guard != null) {
            guard.close();
        }
    }

    private SessionGuard sessionGuard(GuardConfig.Builder config) {
        guard = new HandshakeGuard(config.allowedOrigins("https://chat.test")
                .publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048())).issuer(TestTokens.ISSUER)
                .audiences(TestTokens.AUDIENCE).build());
        return guard.context().guardFor(GuardedChat.class);
    }

    /** What the guard did to a fake session: pings sent, close codes, the pong handler it registered. */
    private static final class Seen {
        final List<Long> pings = new CopyOnWriteArrayList<>();
        final List<Integer> closes = new CopyOnWriteArrayList<>();
        volatile MessageHandler.Whole<PongMessage> pongs;

        void pong() {
            pongs.onMessage(null);
        }
    }

    /** A session as a runtime without a link hands it over: open, authenticated; what the guard does is recorded. */
    @SuppressWarnings("unchecked")
    private static Session session(Seen seen) {
        List<Long> pings = seen.pings;
        Map<String, Object> properties = new ConcurrentHashMap<>();
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", "pat");
        claims.put("exp", Instant.now().plusSeconds(300).getEpochSecond());
        properties.put(WsGuard.IDENTITY, PlainClaims.of(claims));
        RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(
                ConnectionProbeTest.class.getClassLoader(), new Class<?>[] {RemoteEndpoint.Async.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("sendPing")) {
                        pings.add(System.nanoTime());
                    }
                    return null;
                });
        return (Session) Proxy.newProxyInstance(ConnectionProbeTest.class.getClassLoader(),
                new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getUserProperties" -> properties;
                    case "getAsyncRemote" -> remote;
                    case "isOpen" -> seen.closes.isEmpty();
                    case "close" -> seen.closes.add(((CloseReason) args[0]).getCloseCode().getCode());
                    case "addMessageHandler" -> {
                        seen.pongs = (MessageHandler.Whole<PongMessage>) args[1];
                        yield null;
                    }
                    case "getId" -> "probe-session";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }

    private static void end(Session session) {
        SessionGuard.closed(session, new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, ""));
    }

    @Test
    void openedWhenNoLinkThenOnePingAfterTheCloseGraceAndSilentSessionClosed1001() throws Exception {
        SessionGuard sessions = sessionGuard(GuardConfig.builder());
        Seen silent = new Seen();
        Seen answering = new Seen();
        Session silentSession = session(silent);
        Session answeringSession = session(answering);
        long opened = System.nanoTime();
        sessions.opened(silentSession);
        sessions.opened(answeringSession);
        try {
            Thread.sleep(TransportLink.CLOSE_GRACE_MILLIS / 2);
            assertThat(silent.pings).as("not at once: the client's close may not have arrived yet").isEmpty();
            Thread.sleep(TransportLink.CLOSE_GRACE_MILLIS);
            assertThat(silent.pings).as("one ping, one close grace after the open").singleElement()
                    .satisfies(at -> assertThat(Duration.ofNanos(at - opened).toMillis())
                            .isBetween(TransportLink.CLOSE_GRACE_MILLIS, TransportLink.CLOSE_GRACE_MILLIS + 500));
            assertThat(answering.pings).hasSize(1);
            answering.pong();

            Thread.sleep(SessionGuard.PROBE_ANSWER_MILLIS);
            assertThat(silent.closes).as("no answer: the connection is taken for gone").containsExactly(1001);
            assertThat(answering.closes).as("answered").isEmpty();
            assertThat(answering.pings).as("once only").hasSize(1);
        } finally {
            end(silentSession);
            end(answeringSession);
        }
    }

    @Test
    void openedWhenTransportLinkedThenNoProbe() throws Exception {
        SessionGuard sessions = sessionGuard(GuardConfig.builder());
        Seen seen = new Seen();
        List<Long> pings = seen.pings;
        Session session = session(seen);
        // GuardedServer's connection: the transport itself tells the guard when it is gone.
        TransportLink.upgrading(new TransportLink.Wire() {
            @Override
            public void drop() {
            }

            @Override
            public void dropAfterGrace() {
            }

            @Override
            public void whenGone(Runnable action) {
            }

            @Override
            public long queuedBytes() {
                return 0;
            }
        });
        sessions.opened(session);
        try {
            Thread.sleep(TransportLink.CLOSE_GRACE_MILLIS + 500);
            assertThat(pings).isEmpty();
        } finally {
            end(session);
        }
    }

    @Test
    void closedWhenBeforeTheProbeThenNoPing() throws Exception {
        SessionGuard sessions = sessionGuard(GuardConfig.builder());
        Seen seen = new Seen();
        List<Long> pings = seen.pings;
        Session session = session(seen);
        sessions.opened(session);
        end(session);
        Thread.sleep(TransportLink.CLOSE_GRACE_MILLIS + 500);
        assertThat(pings).as("the probe goes with the session's timers").isEmpty();
    }
}
