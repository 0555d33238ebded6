package dev.wsguard.bench.server;

import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The reference endpoint with an {@code @OnOpen}, as most endpoints have: Tyrus then creates the endpoint's instance
 * (and its per-session instance map) when the session opens, where {@link PlainEndpoint} gets them only with its first
 * message. wsguard's adapter opens every session this way, so the memory comparison has this row beside plain Tyrus's.
 */
@ServerEndpoint("/plain-open")
public class PlainOpenEndpoint {

    @OnOpen
    public void onOpen(Session session) {
        // Nothing to do: the open itself is the point.
    }

    @OnMessage
    public String onMessage(String text) {
        return PlainDecoding.handle(text);
    }
}
