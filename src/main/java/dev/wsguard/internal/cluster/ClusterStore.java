package dev.wsguard.internal.cluster;

import dev.wsguard.GuardConfig;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Where the state that several nodes must agree on lives: connection counts per user and per address, bans,
 * shared rate limits and the notices that close a revoked user's sessions everywhere. {@link LocalStore} keeps it in
 * this process (today's single-node behaviour, nothing shared); {@code RedisStore} shares it through Redis and
 * {@code JCacheStore} through the caches of a JCache provider (such as Payara's Hazelcast). A store
 * is shared by every guard of the process that names the same setting. Thread-safe.
 *
 * <p>A store that cannot reach its backing service throws {@link StoreUnavailableException} when the configured
 * policy is to fail closed; with the local policy it answers from this process alone until the service is back.
 */
public interface ClusterStore {

    /** What a count or a ban is about. */
    enum Scope {
        ADDRESS,
        USER
    }

    /** A fresh table of open-connection counts for one guard, counted in {@code scope}. */
    ConnectionCounts counts(Scope scope);

    /** Bans {@code key} on every node for {@code duration}; the local table of {@code Bans} holds it here too. */
    void ban(Scope scope, String key, Duration duration);

    /** Seconds left of a ban another node made; 0 when there is none (and always 0 for the local store). */
    long banSecondsLeft(Scope scope, String key);

    /** Tells the other nodes; the caller has acted on this node already. */
    void publish(Notice notice);

    /**
     * The shared form of the rate limit {@code name} counted per user or address, or null when it stays in this
     * process (the local store): the caller keeps its own limiter then.
     */
    SharedLimiter limiter(String name, GuardConfig.RateLimitSetting setting);

    /**
     * Calls {@code listener} with false when the store becomes unreachable and with true when it is back.
     *
     * @return what stops those calls (a guard that closes runs it)
     */
    Runnable onAvailability(Consumer<Boolean> listener);

    /**
     * Stops the store's threads and its client, once no guard of this application uses it: an undeployed WAR leaves
     * nothing running that holds its classes. A provider's own cluster (Payara's Hazelcast) is left as it is.
     */
    default void close() {
    }
}
