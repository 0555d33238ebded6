package dev.wsguard.contract;

import dev.wsguard.contract.app.ContractEndpoint;
import dev.wsguard.tyrus.GuardedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;

/** The contract on embedded Tyrus ({@link GuardedServer}), configured through system properties. */
class TyrusContractIT extends ContractSuite {

    private static GuardedServer server;

    @BeforeAll
    static void start() throws Exception {
        Tokens.config().forEach(System::setProperty);
        server = GuardedServer.builder().host("127.0.0.1").port(0).endpoint(ContractEndpoint.class)
                .endpoint(dev.wsguard.contract.app.StandardContractEndpoint.class)
                .endpoint(dev.wsguard.contract.app.OpenEndpoint.class).build();
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        Tokens.config().keySet().forEach(System::clearProperty);
    }

    @Override
    boolean framesGuardedOnEveryEndpoint() {
        return true;
    }

    @Override
    URI endpoint() {
        return server.uri("/contract");
    }
}
