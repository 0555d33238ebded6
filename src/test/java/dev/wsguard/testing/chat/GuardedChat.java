package dev.wsguard.testing.chat;

import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import dev.wsguard.WsGuard;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/** The guarded test endpoint: handlers hold no checks at all. */
@ServerEndpoint(value = "/guarded", configurator = TestGuard.class)
public class GuardedChat extends GuardedEndpoint<TestMessage> {

    @Override
    protected void opened(Session session) {
        session.getUserProperties().put("test.subject", WsGuard.identity(session).getSubject());
    }

    @OnMessageType
    String subscribe(TestMessage.Subscribe m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String publish(TestMessage.Publish m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String kick(TestMessage.Kick m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String ping(TestMessage.Ping m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String bid(TestMessage.Bid m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String join(TestMessage.Join m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String unruled(TestMessage.Unruled m, Session s) {
        return Replies.handle(m, s, null);
    }
}
