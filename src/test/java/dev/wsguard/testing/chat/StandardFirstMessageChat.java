package dev.wsguard.testing.chat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/** {@link FirstMessageChat} as a standard endpoint; it counts on the same counters. */
@ServerEndpoint(value = "/standard-first", configurator = FirstMessageChat.Guard.class)
public class StandardFirstMessageChat {

    @OnOpen
    public void open(Session session) {
        FirstMessageChat.OPENED.incrementAndGet();
        session.getUserProperties().put("test.subject", dev.wsguard.WsGuard.identity(session).getSubject());
    }

    @OnMessage
    public String on(TestMessage message, Session session) {
        FirstMessageChat.HANDLED.incrementAndGet();
        return Replies.handle(message, session, null);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        FirstMessageChat.CLOSED.incrementAndGet();
    }
}
