package dev.wsguard.testing.chat;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.Map;

/**
 * The same endpoint as a team without wsguard would write it: plain JSON-B decoding, the same replies, no checks.
 * Identity comes from a {@code ?user=} parameter, as trusting as such code tends to be.
 */
@ServerEndpoint("/open")
public class OpenChat {
    private static final Jsonb JSONB = JsonbBuilder.create();

    @OnOpen
    public void open(Session session) {
        Map<String, java.util.List<String>> params = session.getRequestParameterMap();
        session.getUserProperties().put("test.subject", params.getOrDefault("user", java.util.List.of("anon")).get(0));
    }

    @OnMessage(maxMessageSize = 10_000_000)
    public String message(String text, Session session) {
        TestMessage message = JSONB.fromJson(text, TestMessage.class);
        return Replies.handle(message, session, null);
    }
}
