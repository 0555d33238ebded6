package dev.wsguard.bench.server;

import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/** The reference: plain Tyrus, same decoding, no security at all. */
@ServerEndpoint("/plain")
public class PlainEndpoint {

    @OnMessage
    public String onMessage(String text) {
        return PlainDecoding.handle(text);
    }
}
