package dev.wsguard.testing.chat;

import jakarta.websocket.OnClose;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The broadcast a team without wsguard writes: every open session, {@code getAsyncRemote().sendText}, no bound. */
@ServerEndpoint("/open-feed")
public class OpenFeed {

    public static final Set<Session> SESSIONS = ConcurrentHashMap.newKeySet();

    @OnOpen
    public void open(Session session) {
        SESSIONS.add(session);
    }

    @OnClose
    public void close(Session session) {
        SESSIONS.remove(session);
    }

    public static void broadcast(String text) {
        for (Session session : SESSIONS) {
            if (session.isOpen()) {
                session.getAsyncRemote().sendText(text);
            }
        }
    }
}
