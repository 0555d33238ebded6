package dev.wsguard.testing.chat;

import dev.wsguard.GuardConfig;
import dev.wsguard.WsGuardConfigurator;
import dev.wsguard.testing.TestTokens;
import dev.wsguard.tyrus.GuardedServer;

/** The configurator of {@link GuardedChat}: the configuration a test sets before starting the server. */
public class TestGuard extends WsGuardConfigurator {
    public static volatile GuardConfig config;

    public TestGuard() {
        super(config);
    }

    /**
     * Completes {@code config} with {@code origin} and the test key, issuer and audience, makes it {@link #config},
     * and starts a server with {@link GuardedChat} on it.
     */
    public static GuardedServer serve(GuardConfig.Builder config, String origin) throws Exception {
        TestGuard.config = config.allowedOrigins(origin).publicKey(TestTokens.publicKeyPem(TestTokens.rsa2048()))
                .issuer(TestTokens.ISSUER).audiences(TestTokens.AUDIENCE).build();
        GuardedServer server = GuardedServer.builder().endpoint(GuardedChat.class).build();
        server.start();
        return server;
    }
}
