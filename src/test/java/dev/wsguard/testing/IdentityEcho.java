package dev.wsguard.testing;

import dev.wsguard.WsGuard;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A programmatic endpoint for attack tests: counts how often it was opened, and answers every text message with
 * "sub:&lt;subject&gt;" on a guarded session or "anonymous" on an unguarded one.
 */
public class IdentityEcho extends Endpoint {

    /** Opens per endpoint path, across all instances. */
    public static final java.util.Map<String, AtomicInteger> OPENS = new java.util.concurrent.ConcurrentHashMap<>();

    public static int opens(String path) {
        return OPENS.computeIfAbsent(path, p -> new AtomicInteger()).get();
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        OPENS.computeIfAbsent(session.getRequestURI().getPath(), p -> new AtomicInteger()).incrementAndGet();
        boolean guarded = session.getUserProperties().containsKey(WsGuard.IDENTITY);
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
            String who = guarded ? "sub:" + WsGuard.identity(session).getSubject() : "anonymous";
            session.getAsyncRemote().sendText(who);
        });
    }
}
