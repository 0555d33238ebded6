package dev.wsguard.contract.inspector;

import jakarta.websocket.OnMessage;
import jakarta.websocket.server.ServerEndpoint;

/** The endpoint of the control WAR: a WebSocket application without wsguard, to compare what the server keeps. */
@ServerEndpoint("/open")
public class ControlEndpoint {

    @OnMessage
    public String echo(String text) {
        return "{\"type\":\"echo\",\"length\":" + text.length() + "}";
    }
}
