package dev.wsguard.contract.app;

import dev.wsguard.Outbound;
import dev.wsguard.Revocations;
import dev.wsguard.WsGuard;
import jakarta.websocket.Session;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.TreeSet;

/** The contract endpoints' answers, the same for both shapes: plain logic, no checks of its own. */
final class ContractReplies {

    /** Drawn when the application's classes load: tells one deployment from the next. */
    private static final String BOOT = java.util.UUID.randomUUID().toString();

    private ContractReplies() {
    }

    static String reply(ContractMessage message, Session session) {
        if (message instanceof ContractMessage.Echo echo) {
            return "{\"type\":\"echo\",\"from\":\"" + WsGuard.identity(session).getSubject() + "\",\"length\":"
                    + echo.text().length() + "}";
        }
        if (message instanceof ContractMessage.Post post) {
            return "{\"type\":\"posted\",\"channel\":\"" + post.channel() + "\"}";
        }
        if (message instanceof ContractMessage.Flood flood) {
            String text = "f".repeat(flood.size());
            int sent = 0;
            while (sent < flood.count() && Outbound.send(session, text)) {
                sent++;
            }
            return "{\"type\":\"flooded\",\"sent\":" + sent + "}";
        }
        if (message instanceof ContractMessage.Burst) {
            return "{\"type\":\"burst\"}";
        }
        if (message instanceof ContractMessage.Revoke revoke) {
            Revocations.shared().revokeUser(revoke.user());
            return "{\"type\":\"revoked\"}";
        }
        if (message instanceof ContractMessage.WhoAmI) {
            JsonWebToken identity = WsGuard.identity(session);
            String verifier = identity.getClass().getName().startsWith("dev.wsguard.") ? "wsguard" : "container";
            return "{\"type\":\"whoami\",\"verifier\":\"" + verifier + "\",\"scopes\":\""
                    + String.join(" ", new TreeSet<>(WsGuard.scopes(session))) + "\"}";
        }
        if (message instanceof ContractMessage.Boot) {
            return "{\"type\":\"boot\",\"id\":\"" + BOOT + "\"}";
        }
        if (message instanceof ContractMessage.Heap) {
            Runtime runtime = Runtime.getRuntime();
            System.gc();
            System.gc();
            return "{\"type\":\"heap\",\"used\":" + (runtime.totalMemory() - runtime.freeMemory()) + "}";
        }
        return "{\"type\":\"events\",\"count\":" + EventProbe.count(((ContractMessage.Events) message).reason()) + "}";
    }
}
