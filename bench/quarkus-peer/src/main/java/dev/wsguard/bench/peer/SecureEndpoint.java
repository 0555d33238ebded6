package dev.wsguard.bench.peer;

import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

/**
 * The peer's security layer: an RS256 bearer token verified by SmallRye JWT on the upgrade request (HTTP permission
 * {@code authenticated} on this path, see application.properties) and {@code @RolesAllowed} on every message.
 */
@WebSocket(path = "/secure")
public class SecureEndpoint {

    @Inject
    Decoding decoding;

    @OnTextMessage
    @RolesAllowed("user")
    public String onMessage(String text) {
        return decoding.handle(text);
    }
}
