package dev.wsguard.testing.chat;

import dev.wsguard.GuardConfig;
import dev.wsguard.WsGuardConfigurator;

/** The configurator of {@link GuardedChat}: the configuration a test sets before starting the server. */
public class TestGuard extends WsGuardConfigurator {
    public static volatile GuardConfig config;

    public TestGuard() {
        super(config);
    }
}
