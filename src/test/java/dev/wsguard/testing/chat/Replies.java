package dev.wsguard.testing.chat;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

import java.io.IOException;

/** The answers both test endpoints give, so that guarded and unguarded differ only by the guard. */
final class Replies {
    private Replies() {
    }

    static String handle(TestMessage message, Session session, String subject) {
        if (message instanceof TestMessage.Subscribe s) {
            return "{\"type\":\"subscribed\",\"channel\":\"" + s.channel() + "\"}";
        }
        if (message instanceof TestMessage.Publish p) {
            return "{\"type\":\"published\",\"channel\":\"" + p.channel() + "\"}";
        }
        if (message instanceof TestMessage.Kick k) {
            for (Session other : session.getOpenSessions()) {
                if (k.user().equals(other.getUserProperties().get("test.subject"))) {
                    try {
                        other.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "kicked"));
                    } catch (IOException e) {
                        // closing anyway
                    }
                }
            }
            return "{\"type\":\"kicked\"}";
        }
        if (message instanceof TestMessage.Ping) {
            return "{\"type\":\"pong\"}";
        }
        if (message instanceof TestMessage.Bid b) {
            return "{\"type\":\"bid\",\"amount\":" + b.amount() + "}";
        }
        if (message instanceof TestMessage.Join j) {
            return "{\"type\":\"joined\",\"channel\":\"" + j.channel() + "\"}";
        }
        return "{\"type\":\"unruled\"}";
    }
}
