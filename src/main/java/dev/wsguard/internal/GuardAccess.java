package dev.wsguard.internal;

import java.util.function.Function;

/**
 * Lets wsguard's adapters reach the handshake guard inside a {@code WsGuardConfigurator} (to share it with the
 * pre-upgrade filter, and to close it with its deployment) without a public accessor on the configurator. The
 * configurator class installs the accessor when it is initialized, which happens before any instance can be passed
 * here. Thread-safe.
 */
public final class GuardAccess {

    private static volatile Function<Object, HandshakeGuard> access;

    private GuardAccess() {
    }

    /** Installs the accessor; only the first call counts. */
    public static synchronized void install(Function<Object, HandshakeGuard> accessor) {
        if (access == null) {
            access = accessor;
        }
    }

    /** The guard of {@code configurator}, a {@code WsGuardConfigurator}. */
    public static HandshakeGuard of(Object configurator) {
        return access.apply(configurator);
    }
}
