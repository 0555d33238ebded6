package dev.wsguard.bench.peer;

import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import jakarta.inject.Inject;

/** No security: the peer's transport and decoding alone. */
@WebSocket(path = "/plain")
public class PlainEndpoint {

    @Inject
    Decoding decoding;

    @OnTextMessage
    public String onMessage(String text) {
        return decoding.handle(text);
    }
}
