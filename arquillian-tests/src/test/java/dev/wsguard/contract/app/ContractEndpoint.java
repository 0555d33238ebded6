package dev.wsguard.contract.app;

import dev.wsguard.GuardedEndpoint;
import dev.wsguard.OnMessageType;
import dev.wsguard.WsGuardConfigurator;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/** The guarded endpoint of the contract suite in the base-class shape: plain handlers, no checks of its own. */
@ServerEndpoint(value = "/contract", configurator = WsGuardConfigurator.class)
public class ContractEndpoint extends GuardedEndpoint<ContractMessage> {

    @OnMessageType
    String echo(ContractMessage.Echo echo, Session session) {
        return ContractReplies.reply(echo, session);
    }

    @OnMessageType
    String burst(ContractMessage.Burst burst, Session session) {
        return ContractReplies.reply(burst, session);
    }

    @OnMessageType
    String revoke(ContractMessage.Revoke revoke, Session session) {
        return ContractReplies.reply(revoke, session);
    }

    @OnMessageType
    String flood(ContractMessage.Flood flood, Session session) {
        return ContractReplies.reply(flood, session);
    }

    @OnMessageType
    String post(ContractMessage.Post post, Session session) {
        return ContractReplies.reply(post, session);
    }

    @OnMessageType
    String whoami(ContractMessage.WhoAmI whoami, Session session) {
        return ContractReplies.reply(whoami, session);
    }

    @OnMessageType
    String heap(ContractMessage.Heap heap, Session session) {
        return ContractReplies.reply(heap, session);
    }

    @OnMessageType
    String injected(ContractMessage.Injected injected, Session session) {
        return "{\"type\":\"injected\",\"probe\":false,\"opened\":false}";
    }

    @OnMessageType
    String boot(ContractMessage.Boot boot, Session session) {
        return ContractReplies.reply(boot, session);
    }

    @OnMessageType
    String events(ContractMessage.Events events, Session session) {
        return ContractReplies.reply(events, session);
    }
}
