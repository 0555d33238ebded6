package dev.wsguard.internal;

import dev.wsguard.SecurityEvent;

/**
 * What the event sink feeds to counters (the JMX view, the Micrometer binding) besides events: the facts that are
 * not security events because they are the normal case. Implementations count, never block, never throw.
 */
public interface Telemetry {

    /** Every event, after it was logged and delivered. */
    void event(SecurityEvent event);

    /** A guarded session opened. */
    void sessionOpened();

    /**
     * A message passed every check and goes to its handler.
     *
     * @param type           its type alias
     * @param channelPattern the {@code @Channel} pattern of its type, or null when it has none
     */
    void messageAccepted(String type, String channelPattern);

    /** The endpoint's deployed path template, once, before its first event. */
    default void endpoint(String path) {
    }

    /** The guard is closed: unregister what was registered (JMX views, meters); never throws. */
    default void close() {
    }

    /**
     * The number of bans in force, for gauges, of bans due but not made because the ban table was full, and of
     * connections from banned addresses closed at accept; called by the sink once its bans exist.
     */
    default void bans(java.util.function.IntSupplier active, java.util.function.LongSupplier skipped,
                      java.util.function.LongSupplier droppedAtAccept) {
    }

    /** Keys evicted so far from this guard's full limiter tables, for a counter; called by the sink at its start. */
    default void keysEvicted(java.util.function.LongSupplier evicted) {
    }
}
