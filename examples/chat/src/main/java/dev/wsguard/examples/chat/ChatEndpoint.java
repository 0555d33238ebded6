package dev.wsguard.examples.chat;

import dev.wsguard.GuardedBroadcaster;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.Handler;
import dev.wsguard.MessageRejectedException;
import dev.wsguard.Outbound;
import dev.wsguard.WsGuard;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.io.IOException;

/**
 * The guarded chat endpoint. The handshake passes {@link WsGuardConfigurator} (origin allowlist, bearer token);
 * every message passes {@link GuardedEndpoint}'s checks (schema, roles, scopes, channel, rate) before a handler
 * runs, so the handlers hold only application logic.
 */
@ServerEndpoint(value = "/chat", configurator = WsGuardConfigurator.class)
public class ChatEndpoint extends GuardedEndpoint<ChatMessage> {

    /**
     * Subscribers of each channel. A message reaches a subscriber only if, when it is sent, the subscriber's token is
     * unexpired and not revoked and still passes {@code Subscribe}'s scope and channel rules; a client that does not
     * read is shed (close 1013) instead of filling the server's memory.
     */
    private static final GuardedBroadcaster CHANNELS = new GuardedBroadcaster(ChatMessage.Subscribe.class);

    /** Outgoing messages. */
    public record Delivered(String type, String channel, String from, String text) {
    }

    public record Pong(String type) {
    }

    @Override
    protected void opened(Session session) {
        Outbound.send(session, "{\"type\":\"welcome\",\"user\":"
                + Json.quote(WsGuard.identity(session).getSubject()) + "}");
    }

    @Handler
    String subscribe(ChatMessage.Subscribe subscribe, Session session) {
        CHANNELS.subscribe(session, subscribe.channel());
        return "{\"type\":\"subscribed\",\"channel\":" + Json.quote(subscribe.channel()) + "}";
    }

    @Handler
    void publish(ChatMessage.Publish publish, Session session) {
        if (!CHANNELS.isSubscribed(session, publish.channel())) {
            throw new MessageRejectedException();
        }
        Delivered message = new Delivered("message", publish.channel(),
                WsGuard.identity(session).getSubject(), publish.text());
        CHANNELS.broadcast(publish.channel(), Json.toJson(message));
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
        CHANNELS.unsubscribe(session);
    }
}
