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
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

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

    /**
     * Channels one session may have joined at once ({@code wsguard.chat.max-subscriptions}): each one is held in
     * {@link #CHANNELS} for as long as the session lives, so without a bound one client fills the heap.
     */
    private static final int MAX_SUBSCRIPTIONS = ChatSettings.maxSubscriptions();

    /** This session's channels: the runtime makes one instance per session and calls it one message at a time. */
    private final Set<String> joined = new HashSet<>();

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
            join(subscribe.channel(), session);
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

    /** Joins within the bound; joining a channel already joined takes no more room. */
    private void join(String channel, Session session) {
        // The broadcaster drops a channel the session may no longer read (a refreshed token with other claims):
        // its room is free again.
        joined.removeIf(c -> !CHANNELS.isSubscribed(session, c));
        if (!joined.contains(channel) && joined.size() >= MAX_SUBSCRIPTIONS) {
            throw new MessageRejectedException();
        }
        joined.add(channel);
        CHANNELS.subscribe(session, channel);
    }

    /**
     * Closes the user's sessions in the admin's own tenant. A user of another tenant gets the answer of a user no one
     * knows, {@code "sessions":0}, so a kick cannot tell whether a name exists elsewhere; an admin without a tenant
     * claim reaches no one.
     */
    private static String kick(String user, Session session) throws IOException {
        Object tenant = WsGuard.identity(session).getClaim(ChatMessage.TENANT);
        int closed = 0;
        for (Session other : session.getOpenSessions()) {
            if (other.getUserProperties().get(WsGuard.IDENTITY) == null) {
                continue; // not authenticated yet (first-message mode): no one to kick
            }
            JsonWebToken identity = WsGuard.identity(other);
            if (tenant != null && user.equals(identity.getSubject())
                    && tenant.equals(identity.getClaim(ChatMessage.TENANT))) {
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
