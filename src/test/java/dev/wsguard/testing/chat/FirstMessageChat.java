package dev.wsguard.testing.chat;

import dev.wsguard.GuardConfig;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.concurrent.atomic.AtomicInteger;

/** A guarded endpoint in first-message mode; it counts what reaches its own code. */
@ServerEndpoint(value = "/first", configurator = FirstMessageChat.Guard.class)
public class FirstMessageChat extends GuardedEndpoint<TestMessage> {

    /** Calls of any handler, and of {@link #opened} / {@link #closed}. */
    public static final AtomicInteger HANDLED = new AtomicInteger();
    public static final AtomicInteger OPENED = new AtomicInteger();
    public static final AtomicInteger CLOSED = new AtomicInteger();

    /** The configurator: the configuration a test sets before starting the server. */
    public static class Guard extends WsGuardConfigurator {
        public static volatile GuardConfig config;

        public Guard() {
            super(config);
        }
    }

    @Override
    protected void opened(Session session) {
        OPENED.incrementAndGet();
        session.getUserProperties().put("test.subject", dev.wsguard.WsGuard.identity(session).getSubject());
    }

    @Override
    protected void closed(Session session, CloseReason reason) {
        CLOSED.incrementAndGet();
    }

    private static String handled(TestMessage m, Session s) {
        HANDLED.incrementAndGet();
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String subscribe(TestMessage.Subscribe m, Session s) {
        return handled(m, s);
    }

    @OnMessageType
    String publish(TestMessage.Publish m, Session s) {
        return handled(m, s);
    }

    @OnMessageType
    String kick(TestMessage.Kick m, Session s) {
        return handled(m, s);
    }

    @OnMessageType
    String ping(TestMessage.Ping m, Session s) {
        return handled(m, s);
    }

    @OnMessageType
    String bid(TestMessage.Bid m, Session s) {
        return handled(m, s);
    }

    @OnMessageType
    String join(TestMessage.Join m, Session s) {
        return handled(m, s);
    }

    @OnMessageType
    String unruled(TestMessage.Unruled m, Session s) {
        return handled(m, s);
    }
}
