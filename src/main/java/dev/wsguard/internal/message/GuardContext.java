package dev.wsguard.internal.message;

import dev.wsguard.GuardConfig;
import dev.wsguard.internal.EventSink;
import dev.wsguard.internal.jwt.TokenVerifier;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What one configurator hands to the sessions it opens: its configuration, its event sink, and the message guards
 * built from them (one per endpoint class, built on first use). Shared by all sessions of the configurator; holds no
 * per-connection state. Thread-safe.
 */
public final class GuardContext {

    private final GuardConfig config;
    private final EventSink events;
    private final TokenVerifier verifier;
    private final ConcurrentHashMap<Class<?>, MessageGuard> guards = new ConcurrentHashMap<>();

    public GuardContext(GuardConfig config, EventSink events, TokenVerifier verifier) {
        this.config = config;
        this.events = events;
        this.verifier = verifier;
    }

    /** The handshake's verifier, for tokens refreshed in-band. */
    public TokenVerifier verifier() {
        return verifier;
    }

    public GuardConfig config() {
        return config;
    }

    public EventSink events() {
        return events;
    }

    MessageGuard guardFor(Class<?> endpointClass) {
        return guards.computeIfAbsent(endpointClass, c -> new MessageGuard(this, c));
    }
}
