package dev.wsguard.contract.controls;

import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/** The baseline: the same server's WebSocket endpoint without wsguard, next to the guarded ones. */
@ServerEndpoint("/open")
public class OpenControl {

    @OnMessage
    public String echo(String text) {
        return "{\"type\":\"echo\",\"length\":" + text.length() + "}";
    }
}
