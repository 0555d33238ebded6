package dev.wsguard;

import dev.wsguard.internal.message.SessionGuard;
import jakarta.websocket.Session;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delivers a channel's messages only to sessions that may still read that channel when the message is sent.
 *
 * <p>Checking a subscription once, when it is made, is not enough: by the time a message is published the
 * subscriber's token may have expired, it may have been revoked, or a refreshed token may carry other claims. For
 * every subscriber, at every {@link #broadcast}, the broadcaster applies the same rules the guard applies to an
 * inbound message of the subscription type: the token is unexpired and not revoked (otherwise the session is
 * closed with 4401 and skipped), and the type's authorization rules and {@link Channel} rule pass for the session's
 * current identity (otherwise the session is skipped, unsubscribed from that channel, and one
 * {@code AUTHORIZATION_DENIED} event is emitted). Delivery goes through {@link Outbound}, so a subscriber that does not
 * read is shed instead of growing the server's memory, and the others keep receiving.
 *
 * <pre>{@code
 * static final GuardedBroadcaster ROOMS = new GuardedBroadcaster(ChatMessage.Subscribe.class);
 *
 * @OnMessageType String subscribe(Subscribe s, Session session) { ROOMS.subscribe(session, s.channel()); ... }
 * @OnMessageType void publish(Publish p, Session session) { ROOMS.broadcast(p.channel(), json); }
 * @Override protected void closed(Session session, CloseReason r) { ROOMS.unsubscribe(session); }
 * }</pre>
 *
 * Thread-safe; never blocks.
 */
public final class GuardedBroadcaster {

    private final Class<?> subscriptionType;
    private final Map<String, Set<Session>> subscribers = new ConcurrentHashMap<>();

    /**
     * @param subscriptionType the message type of the endpoint's family whose rules govern reading a channel (the
     *                         one carrying the {@link Channel} component, such as {@code Subscribe}); a session of
     *                         an endpoint whose family lacks it receives nothing
     */
    public GuardedBroadcaster(Class<?> subscriptionType) {
        this.subscriptionType = Objects.requireNonNull(subscriptionType, "subscriptionType");
    }

    /** Adds the session to the channel's subscribers (call it from a handler, after the guard let it subscribe). */
    public void subscribe(Session session, String channel) {
        subscribers.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet()).add(session);
    }

    /** Whether the session is currently a subscriber of the channel. */
    public boolean isSubscribed(Session session, String channel) {
        Set<Session> sessions = subscribers.get(channel);
        return sessions != null && sessions.contains(session);
    }

    /** How many sessions are subscribed to the channel (open or not yet noticed closed). */
    public int subscriberCount(String channel) {
        Set<Session> sessions = subscribers.get(channel);
        return sessions == null ? 0 : sessions.size();
    }

    /** Removes the session from every channel; call it when the session closes. */
    public void unsubscribe(Session session) {
        subscribers.forEach((channel, sessions) -> remove(channel, session));
    }

    /**
     * Queues {@code message} for every subscriber of {@code channel} that may read it now.
     *
     * @return how many sessions it was queued for
     */
    public int broadcast(String channel, String message) {
        Set<Session> sessions = subscribers.get(channel);
        if (sessions == null) {
            return 0;
        }
        int delivered = 0;
        for (Session session : sessions) {
            if (!session.isOpen()) {
                remove(channel, session);
                continue;
            }
            Rejection refused = SessionGuard.mayReceive(session, subscriptionType, channel);
            if (refused != null) {
                remove(channel, session);
                if (session.isOpen()) {
                    SessionGuard.deliveryRefused(session, refused, subscriptionType);
                }
                continue;
            }
            if (Outbound.send(session, message)) {
                delivered++;
            }
        }
        return delivered;
    }

    private void remove(String channel, Session session) {
        subscribers.computeIfPresent(channel, (c, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }
}
