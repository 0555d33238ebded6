package dev.wsguard.testing.chat;

import dev.wsguard.WsGuard;
import dev.wsguard.message.StrictJsonDecoder;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * {@link GuardedChat} as a standard endpoint: the same replies from one {@code @OnMessage}, no checks of its own.
 */
@ServerEndpoint(value = "/standard", configurator = TestGuard.class, decoders = StandardChat.Messages.class)
public class StandardChat {

    /** The family's strict decoder, as a user declares it. */
    public static final class Messages extends StrictJsonDecoder<TestMessage> {
        public Messages() {
            super(TestMessage.class);
        }
    }

    @OnOpen
    public void open(Session session) {
        session.getUserProperties().put("test.subject", WsGuard.identity(session).getSubject());
    }

    @OnMessage
    public String on(TestMessage message, Session session) {
        return Replies.handle(message, session, null);
    }

    @OnClose
    public void close(Session session) {
        session.getUserProperties().remove("test.subject");
    }
}
