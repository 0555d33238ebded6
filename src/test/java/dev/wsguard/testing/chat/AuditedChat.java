package dev.wsguard.testing.chat;

import dev.wsguard.Audited;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/** A guarded endpoint whose subscribe and publish handlers are {@link Audited}; the other types are not. */
@ServerEndpoint(value = "/audited", configurator = TestGuard.class)
public class AuditedChat extends GuardedEndpoint<TestMessage> {

    @Audited
    @OnMessageType
    String subscribe(TestMessage.Subscribe m, Session s) {
        return Replies.handle(m, s, null);
    }

    @Audited
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
