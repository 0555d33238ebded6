package dev.wsguard.internal;

import dev.wsguard.Rejection;
import dev.wsguard.SecurityEvent;
import dev.wsguard.metrics.GuardMXBean;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Counters of one guard, always kept (a few {@link LongAdder}s: cheap), shown through JMX as {@link GuardMXBean}.
 * Thread-safe.
 */
final class GuardStats implements Telemetry, GuardMXBean {

    /** Which view each name holds now, so that closing a replaced view leaves its successor alone. */
    private static final java.util.concurrent.ConcurrentHashMap<ObjectName, GuardStats> OWNERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private volatile ObjectName registeredAs;

    private static final System.Logger LOG = System.getLogger("dev.wsguard");
    private static final Rejection[] REASONS = Rejection.values();

    private final LongAdder open = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder messagesAccepted = new LongAdder();
    private final LongAdder messagesRejected = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder guardCloses = new LongAdder();
    private final LongAdder bansTotal = new LongAdder();
    private final AtomicLongArray handshakeReasons = new AtomicLongArray(REASONS.length);
    private final AtomicLongArray messageReasons = new AtomicLongArray(REASONS.length);
    private volatile IntSupplier activeBans = () -> 0;
    private volatile LongSupplier bansSkipped = () -> 0;
    private volatile LongSupplier bansDropped = () -> 0;
    private volatile LongSupplier keysEvicted = () -> 0;

    @Override
    public void event(SecurityEvent event) {
        switch (event.kind()) {
            case HANDSHAKE_ACCEPTED -> accepted.increment();
            case HANDSHAKE_REJECTED -> {
                rejected.increment();
                handshakeReasons.incrementAndGet(event.reason().ordinal());
            }
            case MESSAGE_REJECTED, AUTHORIZATION_DENIED -> {
                messagesRejected.increment();
                messageReasons.incrementAndGet(event.reason().ordinal());
            }
            case RATE_LIMITED -> {
                rateLimited.increment();
                messageReasons.incrementAndGet(event.reason().ordinal());
            }
            case SESSION_CLOSED -> {
                guardCloses.increment();
                messageReasons.incrementAndGet(event.reason().ordinal());
            }
            case CONNECTION_CLOSED -> open.decrement();
            case BANNED -> bansTotal.increment();
            default -> {
            }
        }
    }

    @Override
    public void sessionOpened() {
        open.increment();
    }

    @Override
    public void messageAccepted(String type, String channelPattern) {
        messagesAccepted.increment();
    }

    @Override
    public void bans(IntSupplier active, LongSupplier skipped, LongSupplier droppedAtAccept) {
        this.bansDropped = droppedAtAccept;
        this.activeBans = active;
        this.bansSkipped = skipped;
    }

    @Override
    public void keysEvicted(LongSupplier evicted) {
        this.keysEvicted = evicted;
    }

    /**
     * Registers this view under {@code dev.wsguard:type=Guard,endpoint="<path>"}, replacing a view of an earlier
     * guard of the same path (a redeployed or restarted endpoint). JMX trouble is logged, never fatal.
     */
    void register(String endpoint) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("dev.wsguard:type=Guard,endpoint=" + ObjectName.quote(endpoint));
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    server.registerMBean(this, name);
                    registeredAs = name;
                    OWNERS.put(name, this);
                    return;
                } catch (InstanceAlreadyExistsException e) {
                    try {
                        server.unregisterMBean(name);
                    } catch (InstanceNotFoundException gone) {
                        // Unregistered meanwhile: try again.
                    }
                }
            }
        } catch (JMException | SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "wsguard JMX view not registered: " + e);
        }
    }

    /**
     * Unregisters this view, if it is still the one under its name: the platform MBean server outlives a WAR, and a
     * view left there would keep the WAR's classes loaded.
     */
    @Override
    public void close() {
        ObjectName name = registeredAs;
        registeredAs = null;
        if (name == null) {
            return;
        }
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            // A later guard of the same path may have replaced this view: leave that one registered.
            if (OWNERS.remove(name, this) && server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException | SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "wsguard JMX view not unregistered: " + e);
        }
    }

    @Override
    public long getOpenConnections() {
        return open.sum();
    }

    @Override
    public long getHandshakesAccepted() {
        return accepted.sum();
    }

    @Override
    public long getHandshakesRejected() {
        return rejected.sum();
    }

    @Override
    public long getMessagesAccepted() {
        return messagesAccepted.sum();
    }

    @Override
    public long getMessagesRejected() {
        return messagesRejected.sum();
    }

    @Override
    public long getMessagesRateLimited() {
        return rateLimited.sum();
    }

    @Override
    public long getSessionsClosedByGuard() {
        return guardCloses.sum();
    }

    @Override
    public long getActiveBans() {
        return activeBans.getAsInt();
    }

    @Override
    public long getBansTotal() {
        return bansTotal.sum();
    }

    @Override
    public long getBansSkipped() {
        return bansSkipped.getAsLong();
    }

    @Override
    public long getConnectionsDroppedWhileBanned() {
        return bansDropped.getAsLong();
    }

    @Override
    public long getRateLimitKeysEvicted() {
        return keysEvicted.getAsLong();
    }

    @Override
    public Map<String, Long> getHandshakeRejectionsByReason() {
        return byReason(handshakeReasons);
    }

    @Override
    public Map<String, Long> getMessageRejectionsByReason() {
        return byReason(messageReasons);
    }

    private static Map<String, Long> byReason(AtomicLongArray counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Rejection r : REASONS) {
            long n = counts.get(r.ordinal());
            if (n > 0) {
                out.put(r.name(), n);
            }
        }
        return out;
    }
}
