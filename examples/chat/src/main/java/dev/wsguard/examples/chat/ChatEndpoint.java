package dev.wsguard.examples.chat;

import dev.wsguard.GuardedBroadcaster;
import dev.wsguard.MessageRejectedException;
import dev.wsguard.Outbound;
import dev.wsguard.WsGuard;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.io.IOException;

/**
 * The guarded chat endpoint, a standard Jakarta WebSocket endpoint. The handshake passes {@link WsGuardConfigurator}
 * (origin allowlist, bearer token); every message is decoded strictly ({@link ChatMessages}) and passes the rules
 * declared on its {@link ChatMessage} type (roles, scopes, channel, rate) before {@link #on} runs, so the method
 * holds only application logic.
 */
@ServerEndpoint(value = "/chat", configurator = WsGuardConfigurator.class, decoders = ChatMessages.class)
public class ChatEndpoint {

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

    /** Runs once the session is authenticated; {@code WsGuard.identity(session)} is the verified token. */
    @OnOpen
    public void open(Session session) {
        Outbound.send(session, "{\"type\":\"welcome\",\"user\":"
                + Json.quote(WsGuard.identity(session).getSubject()) + "}");
    }

    /** Only messages that passed every rule arrive here; a returned value is the reply. */
    @OnMessage
    public Object on(ChatMessage message, Session session) throws IOException {
        if (message instanceof ChatMessage.Subscribe subscribe) {
            CHANNELS.subscribe(session, subscribe.channel());
            return "{\"type\":\"subscribed\",\"channel\":" + Json.quote(subscribe.channel()) + "}";
        }
        if (message instanceof ChatMessage.Publish publish) {
            if (!CHANNELS.isSubscribed(session, publish.channel())) {
                throw new MessageRejectedException();
            }
            Delivered delivered = new Delivered("message", publish.channel(),
                    WsGuard.identity(session).getSubject(), publish.text());
            CHANNELS.broadcast(publish.channel(), Json.toJson(delivered));
            return null;
        }
        if (message instanceof ChatMessage.Kick kick) {
            return kick(kick.user(), session);
        }
        return new Pong("pong");
    }

    private static String kick(String user, Session session) throws IOException {
        int closed = 0;
        for (Session other : session.getOpenSessions()) {
            if (other.getUserProperties().get(WsGuard.IDENTITY) != null
                    && user.equals(WsGuard.identity(other).getSubject())) {
                other.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "removed by an admin"));
                closed++;
            }
        }
        return "{\"type\":\"kicked\",\"user\":" + Json.quote(user) + ",\"sessions\":" + closed + "}";
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        CHANNELS.unsubscribe(session);
    }
}
