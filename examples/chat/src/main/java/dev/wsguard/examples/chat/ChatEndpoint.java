package dev.wsguard.examples.chat;

import dev.wsguard.WsGuard;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The guarded chat endpoint. Every handshake passes {@link WsGuardConfigurator} (origin allowlist, bearer token)
 * before {@link #open} runs, so the endpoint can rely on the identity being there.
 */
@ServerEndpoint(value = "/chat", configurator = WsGuardConfigurator.class)
public class ChatEndpoint {

    @OnOpen
    public void open(Session session) {
        JsonWebToken user = WsGuard.identity(session);
        session.getAsyncRemote().sendText("{\"type\":\"welcome\",\"user\":" + Json.quote(user.getSubject()) + "}");
    }

    @OnMessage
    public String message(String text, Session session) {
        if (text.replace(" ", "").equals("{\"type\":\"ping\"}")) {
            return "{\"type\":\"pong\"}";
        }
        return "{\"type\":\"error\",\"code\":\"unsupported\"}";
    }
}
