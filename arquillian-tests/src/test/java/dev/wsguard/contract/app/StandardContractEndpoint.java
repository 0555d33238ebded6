package dev.wsguard.contract.app;

import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.message.StrictJsonDecoder;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/**
 * The guarded endpoint of the contract suite in the standard shape: {@code @OnOpen} and one {@code @OnMessage},
 * the same answers as {@link ContractEndpoint}. On Payara and WildFly wsguard creates it through CDI: the first
 * answer of a session says whether its {@code @Inject} field was filled.
 */
@ServerEndpoint(value = "/standard-contract", configurator = WsGuardConfigurator.class,
        decoders = StandardContractEndpoint.Messages.class)
public class StandardContractEndpoint {

    /** The family's strict decoder. */
    public static final class Messages extends StrictJsonDecoder<ContractMessage> {
        public Messages() {
            super(ContractMessage.class);
        }
    }

    @jakarta.inject.Inject
    EventProbe probe;

    private boolean opened;

    @OnOpen
    public void open(Session session) {
        opened = true;
    }

    @OnMessage
    public String on(ContractMessage message, Session session) {
        if (message instanceof ContractMessage.Injected) {
            return "{\"type\":\"injected\",\"probe\":" + (probe != null) + ",\"opened\":" + opened + "}";
        }
        return ContractReplies.reply(message, session);
    }
}
