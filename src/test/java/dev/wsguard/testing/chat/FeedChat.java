package dev.wsguard.testing.chat;

import dev.wsguard.GuardedBroadcaster;
import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A guarded endpoint whose subscriptions feed {@link #CHANNELS}: publishing happens from the test. */
@ServerEndpoint(value = "/feed", configurator = TestGuard.class)
public class FeedChat extends GuardedEndpoint<TestMessage> {

    public static final GuardedBroadcaster CHANNELS = new GuardedBroadcaster(TestMessage.Subscribe.class);

    /** The same subscriptions as a plain map, for the broadcast a team without wsguard writes. */
    public static final Map<String, Set<Session>> NAIVE = new ConcurrentHashMap<>();

    /** Sends to every subscriber that is open: the subscription was checked once, when it was made. */
    public static void naiveBroadcast(String channel, String text) {
        for (Session session : NAIVE.getOrDefault(channel, Set.of())) {
            if (session.isOpen()) {
                session.getAsyncRemote().sendText(text);
            }
        }
    }

    @OnMessageType
    String subscribe(TestMessage.Subscribe m, Session s) {
        CHANNELS.subscribe(s, m.channel());
        NAIVE.computeIfAbsent(m.channel(), c -> ConcurrentHashMap.newKeySet()).add(s);
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String publish(TestMessage.Publish m, Session s) {
        CHANNELS.broadcast(m.channel(), "{\"type\":\"message\",\"text\":\"" + m.text() + "\"}");
        return null;
    }

    @OnMessageType
    String kick(TestMessage.Kick m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String ping(TestMessage.Ping m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String bid(TestMessage.Bid m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String join(TestMessage.Join m, Session s) {
        return Replies.handle(m, s, null);
    }

    @OnMessageType
    String unruled(TestMessage.Unruled m, Session s) {
        return Replies.handle(m, s, null);
    }

    @Override
    protected void closed(Session session, CloseReason reason) {
        CHANNELS.unsubscribe(session);
        NAIVE.values().forEach(set -> set.remove(session));
    }
}
