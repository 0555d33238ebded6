package dev.wsguard.examples.chat;

import dev.wsguard.GuardedEndpoint;
import dev.wsguard.Handler;
import dev.wsguard.MessageRejectedException;
import dev.wsguard.WsGuard;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The guarded chat endpoint. The handshake passes {@link WsGuardConfigurator} (origin allowlist, bearer token);
 * every message passes {@link GuardedEndpoint}'s checks (schema, roles, scopes, channel, rate) before a handler
 * runs, so the handlers hold only application logic.
 */
@ServerEndpoint(value = "/chat", configurator = WsGuardConfigurator.class)
public class ChatEndpoint extends GuardedEndpoint<ChatMessage> {

    /** Sessions subscribed to each channel. */
    private static final Map<String, Set<Session>> SUBSCRIBERS = new ConcurrentHashMap<>();

    /** Outgoing messages. */
    public record Delivered(String type, String channel, String from, String text) {
    }

    public record Pong(String type) {
    }

    @Override
    protected void opened(Session session) {
        session.getAsyncRemote().sendText("{\"type\":\"welcome\",\"user\":"
                + Json.quote(WsGuard.identity(session).getSubject()) + "}");
    }

    @Handler
    String subscribe(ChatMessage.Subscribe subscribe, Session session) {
        SUBSCRIBERS.computeIfAbsent(subscribe.channel(), c -> ConcurrentHashMap.newKeySet()).add(session);
        return "{\"type\":\"subscribed\",\"channel\":" + Json.quote(subscribe.channel()) + "}";
    }

    @Handler
    void publish(ChatMessage.Publish publish, Session session) {
        Set<Session> subscribers = SUBSCRIBERS.getOrDefault(publish.channel(), Set.of());
        if (!subscribers.contains(session)) {
            throw new MessageRejectedException();
        }
        Delivered message = new Delivered("message", publish.channel(),
                WsGuard.identity(session).getSubject(), publish.text());
        String json = Json.toJson(message);
        for (Session subscriber : subscribers) {
            if (subscriber.isOpen()) {
                subscriber.getAsyncRemote().sendText(json);
            }
        }
    }

    @Handler
    String kick(ChatMessage.Kick kick, Session session) throws IOException {
        int closed = 0;
        for (Session other : session.getOpenSessions()) {
            if (kick.user().equals(WsGuard.identity(other).getSubject())) {
                other.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "removed by an admin"));
                closed++;
            }
        }
        return "{\"type\":\"kicked\",\"user\":" + Json.quote(kick.user()) + ",\"sessions\":" + closed + "}";
    }

    @Handler
    Pong ping(ChatMessage.Ping ping) {
        return new Pong("pong");
    }

    @Override
    protected void closed(Session session, CloseReason reason) {
        SUBSCRIBERS.values().forEach(s -> s.remove(session));
    }
}
