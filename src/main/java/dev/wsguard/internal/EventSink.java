package dev.wsguard.internal;

import dev.wsguard.GuardConfig;
import dev.wsguard.SecurityEvent;
import dev.wsguard.SecurityEventListener;
import dev.wsguard.ee.CdiSecurityEvents;

import dev.wsguard.Rejection;
import dev.wsguard.internal.cluster.ClusterStore;
import dev.wsguard.internal.cluster.ClusterStores;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Delivers security events to the audit log ({@code System.Logger} {@value #AUDIT_LOGGER}, one JSON line each:
 * refusals and bans at WARNING, the rest at INFO), to every listener, to the counters (JMX always, Micrometer when
 * present) and to the bans. The JSON line is built only when the audit logger takes that level, so a sink nobody
 * listens to costs one small record per event and a few counter increments. A failing listener never changes a
 * decision and is reported once.
 *
 * <p>A banned client that keeps reconnecting is refused hundreds of times a second, and a client flooding an open
 * session is refused on every message past its limit: each refusal would be an audit line, and an attacker could fill
 * the disk, bury what matters, or spend the server's time on the log. Refusals for these reasons (banned address or
 * user, message rate limit, handshake rate limit) are therefore written at most
 * {@value #FLOOD_LINES_PER_SECOND} a second for each reason; the next one written carries
 * {@code "not_logged_before"}, how many of that reason were left out since. Listeners and counters still get every
 * event.
 * Thread-safe.
 */
public final class EventSink {

    /** The logger name users route (JUL, or SLF4J/Log4j through the platform logger bridge). */
    public static final String AUDIT_LOGGER = "dev.wsguard.audit";

    private static final System.Logger AUDIT = System.getLogger(AUDIT_LOGGER);
    private static final System.Logger LOG = System.getLogger("dev.wsguard");
    private static final Set<Class<?>> REPORTED = ConcurrentHashMap.newKeySet();

    private final List<SecurityEventListener> listeners;
    private final GuardStats stats = new GuardStats();
    private final Telemetry[] telemetry;
    private final Bans bans;
    /** Keys evicted from every full limiter table of this guard (handshake, message limits, ban counters). */
    private final LongAdder keysEvicted = new LongAdder();
    private final AtomicBoolean bound = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String endpointPath;
    /** Stops the cluster store's availability events reaching this sink. */
    private final Runnable storeWatch;
    private final GuardConfig.ClusterSetting cluster;

    /** Audit lines a second for each reason a flood is refused for; the rest are counted, not written. */
    static final int FLOOD_LINES_PER_SECOND = 10;
    private static final Set<Rejection> FLOOD_REASONS = EnumSet.of(Rejection.ADDRESS_BANNED, Rejection.USER_BANNED,
            Rejection.RATE_LIMITED, Rejection.HANDSHAKE_RATE_LIMITED);
    /** By the reason's ordinal; null for reasons whose every refusal is written. */
    private final RateLimiter[] floodLines = new RateLimiter[Rejection.values().length];
    private final AtomicLong[] floodNotLogged = new AtomicLong[Rejection.values().length];

    public EventSink(GuardConfig config) {
        Timers.retain();
        for (Rejection reason : FLOOD_REASONS) {
            floodLines[reason.ordinal()] = RateLimiter.of("wsguard-audit-lines-" + reason.name(),
                    RateLimiterConfig.custom().limitForPeriod(FLOOD_LINES_PER_SECOND)
                            .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build());
            floodNotLogged[reason.ordinal()] = new AtomicLong();
        }
        List<SecurityEventListener> all = new ArrayList<>(config.listeners());
        // The CDI bridge listens only where CDI is: elsewhere it would make every event look read (readsDetails).
        ServiceLoader.load(SecurityEventListener.class, EventSink.class.getClassLoader()).stream()
                .filter(p -> p.type() != CdiSecurityEvents.class || CdiSecurityEvents.canFire())
                .forEach(p -> all.add(p.get()));
        this.listeners = List.copyOf(all);
        Telemetry micrometer = Micrometer.bind(config);
        this.telemetry = micrometer == null ? new Telemetry[] {stats} : new Telemetry[] {stats, micrometer};
        // Held for the guard's life: the guard's close gives it back, and the last one closes it.
        this.cluster = config.cluster();
        ClusterStore store = ClusterStores.acquire(cluster);
        this.bans = config.bans().map(setting -> new Bans(setting, config.maxRateLimitKeys(),
                config.ipv6PrefixLength(), keysEvicted, this::emit, store)).orElse(null);
        this.storeWatch = store.onAvailability(up -> emit(new SecurityEvent(java.time.Instant.now(),
                up ? SecurityEvent.Kind.CLUSTER_STORE_RECOVERED : SecurityEvent.Kind.CLUSTER_STORE_UNAVAILABLE,
                SecurityEvent.Phase.HANDSHAKE, up ? null : Rejection.CLUSTER_STORE_UNAVAILABLE, null, endpointPath,
                null, null, null, null)));
        for (Telemetry t : telemetry) {
            t.keysEvicted(keysEvicted::sum);
            if (bans != null) {
                t.bans(bans::active, bans::skipped, bans::droppedAtAccept);
            }
        }
    }

    /**
     * Names the endpoint this sink serves (its deployed path template), once: the JMX view and the meters are
     * registered then. Later calls do nothing.
     */
    public void endpoint(String path) {
        if (path == null || !bound.compareAndSet(false, true)) {
            return;
        }
        endpointPath = path;
        stats.register(path);
        for (Telemetry t : telemetry) {
            t.endpoint(path);
        }
        if (bans != null) {
            bans.endpoint(path);
        }
    }

    /**
     * The guard is gone: its JMX view is unregistered, its meters are removed, and its hold on the timer thread is
     * let go. Later events still reach the log and the listeners. Idempotent.
     */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            storeWatch.run();
            for (Telemetry t : telemetry) {
                t.close();
            }
        } finally {
            Timers.release();
            ClusterStores.release(cluster);
        }
    }

    /** The counter every limiter table of this guard adds its evictions to. */
    public LongAdder keysEvicted() {
        return keysEvicted;
    }

    /** The bans of this guard; null when bans are off. */
    public Bans bans() {
        return bans;
    }

    public void emit(SecurityEvent event) {
        System.Logger.Level level = event.reason() == null ? System.Logger.Level.INFO : System.Logger.Level.WARNING;
        if (AUDIT.isLoggable(level)) {
            audit(level, event);
        }
        for (SecurityEventListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                if (REPORTED.add(listener.getClass())) {
                    LOG.log(System.Logger.Level.ERROR, "security event listener " + listener.getClass().getName()
                            + " threw " + e.getClass().getName() + "; later failures of it are not logged");
                }
            }
        }
        for (Telemetry t : telemetry) {
            t.event(event);
        }
        if (bans != null) {
            bans.observe(event);
        }
    }

    /**
     * Whether anything reads an event's details (its path, say) beyond its kind, reason, address, subject and
     * origin, which the counters and bans use: a listener, or the audit log at the event's level. Details that cost
     * something to find are left out when nothing reads them.
     */
    public boolean readsDetails(Rejection reason) {
        return !listeners.isEmpty()
                || AUDIT.isLoggable(reason == null ? System.Logger.Level.INFO : System.Logger.Level.WARNING);
    }

    private void audit(System.Logger.Level level, SecurityEvent event) {
        RateLimiter lines = event.reason() == null ? null : floodLines[event.reason().ordinal()];
        if (lines == null) {
            AUDIT.log(level, event.toJson());
        } else if (!lines.acquirePermission()) {
            floodNotLogged[event.reason().ordinal()].incrementAndGet();
        } else {
            long left = floodNotLogged[event.reason().ordinal()].getAndSet(0);
            String json = event.toJson();
            AUDIT.log(level, left == 0 ? json
                    : json.substring(0, json.length() - 1) + ",\"not_logged_before\":" + left + "}");
        }
    }

    /** A guarded session opened (for the open-connections gauges). */
    public void sessionOpened() {
        for (Telemetry t : telemetry) {
            t.sessionOpened();
        }
    }

    /** A message passed every check; counted, not logged (that is what {@code @Audited} is for). */
    public void messageAccepted(String type, String channelPattern) {
        for (Telemetry t : telemetry) {
            t.messageAccepted(type, channelPattern);
        }
    }

    /** The JMX view, for tests in this package. */
    GuardStats stats() {
        return stats;
    }

    /** Loads the Micrometer binding only when Micrometer is on the class path. */
    private static final class Micrometer {
        private static final boolean PRESENT = Classes.present("io.micrometer.core.instrument.MeterRegistry");

        static Telemetry bind(GuardConfig config) {
            if (!config.metricsEnabled() || !PRESENT && config.meterRegistry() == null) {
                return null;
            }
            return dev.wsguard.internal.metrics.MicrometerTelemetry.bind(config);
        }

    }
}
