package dev.wsguard.contract.app;

import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The baseline: the same runtime's WebSocket endpoint without wsguard. The suite shows each attack succeeding
 * here, so a green guarded result means the guard stopped it, not the runtime.
 */
@ServerEndpoint("/open")
public class OpenEndpoint {

    @OnMessage
    public String echo(String text) {
        return "{\"type\":\"echo\",\"length\":" + text.length() + "}";
    }
}
