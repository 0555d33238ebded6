package dev.wsguard.contract.app;

import dev.wsguard.GuardedEndpoint;
import dev.wsguard.Handler;
import dev.wsguard.Revocations;
import dev.wsguard.WsGuard;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.TreeSet;

/** The guarded endpoint of the contract suite: plain handlers, no checks of its own. */
@ServerEndpoint(value = "/contract", configurator = WsGuardConfigurator.class)
public class ContractEndpoint extends GuardedEndpoint<ContractMessage> {

    @Handler
    String echo(ContractMessage.Echo echo, Session session) {
        return "{\"type\":\"echo\",\"from\":\"" + WsGuard.identity(session).getSubject() + "\",\"length\":"
                + echo.text().length() + "}";
    }

    @Handler
    String burst(ContractMessage.Burst burst) {
        return "{\"type\":\"burst\"}";
    }

    @Handler
    String revoke(ContractMessage.Revoke revoke) {
        Revocations.shared().revokeUser(revoke.user());
        return "{\"type\":\"revoked\"}";
    }

    @Handler
    String whoami(ContractMessage.WhoAmI whoami, Session session) {
        JsonWebToken identity = WsGuard.identity(session);
        String verifier = identity.getClass().getName().startsWith("dev.wsguard.") ? "wsguard" : "container";
        return "{\"type\":\"whoami\",\"verifier\":\"" + verifier + "\",\"scopes\":\""
                + String.join(" ", new TreeSet<>(WsGuard.scopes(session))) + "\"}";
    }

    @Handler
    String heap(ContractMessage.Heap heap) {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        System.gc();
        return "{\"type\":\"heap\",\"used\":" + (runtime.totalMemory() - runtime.freeMemory()) + "}";
    }

    @Handler
    String events(ContractMessage.Events events) {
        return "{\"type\":\"events\",\"count\":" + EventProbe.count(events.reason()) + "}";
    }
}
