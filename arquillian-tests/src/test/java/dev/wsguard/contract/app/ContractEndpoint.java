package dev.wsguard.contract.app;

import dev.wsguard.GuardedEndpoint;
import dev.wsguard.Handler;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/** The guarded endpoint of the contract suite in the base-class shape: plain handlers, no checks of its own. */
@ServerEndpoint(value = "/contract", configurator = WsGuardConfigurator.class)
public class ContractEndpoint extends GuardedEndpoint<ContractMessage> {

    @Handler
    String echo(ContractMessage.Echo echo, Session session) {
        return ContractReplies.reply(echo, session);
    }

    @Handler
    String burst(ContractMessage.Burst burst, Session session) {
        return ContractReplies.reply(burst, session);
    }

    @Handler
    String revoke(ContractMessage.Revoke revoke, Session session) {
        return ContractReplies.reply(revoke, session);
    }

    @Handler
    String whoami(ContractMessage.WhoAmI whoami, Session session) {
        return ContractReplies.reply(whoami, session);
    }

    @Handler
    String heap(ContractMessage.Heap heap, Session session) {
        return ContractReplies.reply(heap, session);
    }

    @Handler
    String injected(ContractMessage.Injected injected, Session session) {
        return "{\"type\":\"injected\",\"probe\":false,\"opened\":false}";
    }

    @Handler
    String events(ContractMessage.Events events, Session session) {
        return ContractReplies.reply(events, session);
    }
}
