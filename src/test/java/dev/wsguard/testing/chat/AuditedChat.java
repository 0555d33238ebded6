package dev.wsguard.testing.chat;

import dev.wsguard.Audited;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.Handler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/** A guarded endpoint whose subscribe and publish handlers are {@link Audited}; the other types are not. */
@ServerEndpoint(value = "/audited", configurator = TestGuard.class)
public class AuditedChat extends GuardedEndpoint<TestMessage> {

    @Audited
    @Handler
    String subscribe(TestMessage.Subscribe m, Session s) {
        return Replies.handle(m, s, null);
    }

    @Audited
    @Handler
    String publish(TestMessage.Publish m, Session s) {
        return Replies.handle(m, s, null);
    }

    @Handler
    String kick(TestMessage.Kick m, Session s) {
        return Replies.handle(m, s, null);
    }

    @Handler
    String ping(TestMessage.Ping m, Session s) {
        return Replies.handle(m, s, null);
    }

    @Handler
    String bid(TestMessage.Bid m, Session s) {
        return Replies.handle(m, s, null);
    }

    @Handler
    String join(TestMessage.Join m, Session s) {
        return Replies.handle(m, s, null);
    }

    @Handler
    String unruled(TestMessage.Unruled m, Session s) {
        return Replies.handle(m, s, null);
    }
}
